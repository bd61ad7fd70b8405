#pragma once

// A real child process for black-box tests: the daemon or cpa-sim started from build/<preset>/bin.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace cpamd::test
{

// The directory holding the binaries of this build (build/<preset>/bin).
std::filesystem::path bin_dir();

struct process_options
{
    std::vector<std::string> args;          // argv[1..]
    std::map<std::string, std::string> env; // added to (and overriding) the inherited environment
    std::vector<std::string> unset_env;     // removed from the inherited environment
    std::optional<std::filesystem::path> cwd;
};

class child_process
{
public:
    // Starts `program` with stdout and stderr captured to one log file (see output()).
    child_process(const std::filesystem::path& program, process_options opts = {});
    ~child_process(); // SIGKILLs a child still running
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    void signal(int sig);
    // Waits for exit; returns the exit code (128+signal if killed), or nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    // Everything the child wrote to stdout and stderr so far.
    std::string output() const;
    // Polls output() until it contains `text` at or after byte `from` (pass output().size() taken
    // before an action to wait for what that action logs, not for an older identical line).
    bool
    wait_for_output(const std::string& text, std::chrono::milliseconds timeout, std::size_t from = 0) const;

private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    std::filesystem::path log_path_;
};

} // namespace cpamd::test
