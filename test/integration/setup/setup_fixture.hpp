#pragma once

// Helpers for the setup/security suite: daemons on a shared data directory, and reading what the
// daemon stored (cpa-sim comes from cpamd/test/cpa_sim.hpp).

#include <boost/json/value.hpp>
#include <cpamd/test/child_process.hpp>
#include <cpamd/test/cpa_sim.hpp>
#include <cpamd/test/daemon.hpp>
#include <cpamd/test/http_client.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::test
{

// A daemon whose data directory is `dir` (so a test can restart on the same data).
std::unique_ptr<running_daemon>
start_daemon(const temp_dir& dir, std::map<std::string, std::string> env = {});
std::filesystem::path data_dir_of(const temp_dir& dir);
// Stops a daemon with SIGTERM and waits for it; returns its whole output.
std::string stop_daemon(running_daemon& d);

// "cpamp_..." from the "admin key generated" line; empty when absent.
std::string generated_admin_key(const std::string& log);
std::map<std::string, std::string> bearer(const std::string& key);

boost::json::value parse(const std::string& body);
// A settings row read through SQLite (read-only, while the daemon may run).
std::optional<std::string> read_setting_row(const std::filesystem::path& db, const std::string& key);
// usage.sqlite plus -wal and -shm, raw.
std::string raw_database_bytes(const std::filesystem::path& db);

// Runs `cpamd ARGS` to completion.
struct command_result
{
    int code = -1;
    std::string output;
};
command_result run_cpamd(std::vector<std::string> args);

} // namespace cpamd::test
