#pragma once

// Helpers for the operations suite: running `cpamd COMMAND` against a data directory, counting
// and comparing rows of two databases.

#include <cpamd/test/child_process.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace cpamd::test
{

struct cli_result
{
    int code = -1;
    std::string output;
};

// Runs `cpamd ARGS` with USAGE_DATA_DIR=data_dir (plus `env`) to completion.
cli_result run_cli(
    const std::filesystem::path& data_dir,
    std::vector<std::string> args,
    std::map<std::string, std::string> env = {}
);

// Events in `db`, or those with id <= max_id.
std::int64_t count_events(const std::filesystem::path& db, std::int64_t max_id = INT64_MAX);
std::int64_t max_event_id(const std::filesystem::path& db);
// Events with id <= max_id that differ between the two databases, counted both ways.
std::int64_t
differing_events(const std::filesystem::path& a, const std::filesystem::path& b, std::int64_t max_id);

// Runs a shell command line; returns its exit code and output (stdout and stderr).
cli_result run_shell(const std::string& command);

// `promtool check metrics` on a /metrics answer (promtool: Debian's prometheus package, which
// scripts/deps test installs; code 127 when it is missing).
cli_result promtool_check_metrics(const std::string& exposition);

} // namespace cpamd::test
