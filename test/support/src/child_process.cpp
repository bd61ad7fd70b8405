#include <cerrno>
#include <cpamd/test/child_process.hpp>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace cpamd::test
{
namespace
{

int decode_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

} // namespace

std::filesystem::path bin_dir()
{
    return CPAMD_BIN_DIR;
}

child_process::child_process(const std::filesystem::path& program, process_options opts)
{
    char tmpl[] = "/tmp/cpamd-child-XXXXXX";
    int log_fd = ::mkstemp(tmpl);
    if (log_fd < 0)
        throw std::runtime_error("mkstemp failed");
    log_path_ = tmpl;

    std::vector<std::string> argv_storage{program.string()};
    argv_storage.insert(argv_storage.end(), opts.args.begin(), opts.args.end());

    std::map<std::string, std::string> env_map;
    for (char** e = environ; *e != nullptr; ++e)
    {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos)
            env_map[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& name : opts.unset_env)
        env_map.erase(name);
    for (const auto& [k, v] : opts.env)
        env_map[k] = v;
    std::vector<std::string> env_storage;
    for (const auto& [k, v] : env_map)
        env_storage.push_back(k + "=" + v);

    std::vector<char*> argv, envp;
    for (auto& a : argv_storage)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_storage)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0)
    {
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            ::dup2(devnull, STDIN_FILENO);
        if (opts.cwd && ::chdir(opts.cwd->c_str()) != 0)
            ::_exit(126);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(log_fd);
}

child_process::~child_process()
{
    if (running())
    {
        ::kill(pid_, SIGKILL);
        wait(std::chrono::seconds(5));
    }
    std::error_code ec;
    std::filesystem::remove(log_path_, ec);
}

bool child_process::running()
{
    if (exit_code_)
        return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_)
    {
        exit_code_ = decode_status(status);
        return false;
    }
    return r == 0;
}

void child_process::signal(int sig)
{
    if (running())
        ::kill(pid_, sig);
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running())
    {
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_code_;
}

std::string child_process::output() const
{
    std::ifstream in(log_path_, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool child_process::wait_for_output(
    const std::string& text, std::chrono::milliseconds timeout, std::size_t from
) const
{
    auto found = [&] { return output().find(text, from) != std::string::npos; };
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (found())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return found();
}

} // namespace cpamd::test
