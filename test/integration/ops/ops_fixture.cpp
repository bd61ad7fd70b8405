#include "ops_fixture.hpp"

#include <array>
#include <cpamd/store/sqlite.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <sys/wait.h>

namespace cpamd::test
{

using namespace std::chrono_literals;
using store::connection;

cli_result run_cli(
    const std::filesystem::path& data_dir,
    std::vector<std::string> args,
    std::map<std::string, std::string> env
)
{
    process_options o;
    o.args = std::move(args);
    o.env = std::move(env);
    o.env["USAGE_DATA_DIR"] = data_dir.string();
    o.unset_env = {"CPA_MANAGER_CONFIG", "CPA_MANAGER_ADMIN_KEY", "CPA_MANAGER_DATA_KEY", "JOURNAL_STREAM"};
    child_process p(bin_dir() / "cpamd", std::move(o));
    auto code = p.wait(60s);
    return {code.value_or(-1), p.output()};
}

std::int64_t count_events(const std::filesystem::path& db, std::int64_t max_id)
{
    connection c(db, connection::mode::read_only);
    return c.query_int(fmt::format("SELECT count(*) FROM events WHERE id <= {}", max_id)).value_or(-1);
}

std::int64_t max_event_id(const std::filesystem::path& db)
{
    connection c(db, connection::mode::read_only);
    return c.query_int("SELECT coalesce(max(id), 0) FROM events").value_or(-1);
}

std::int64_t
differing_events(const std::filesystem::path& a, const std::filesystem::path& b, std::int64_t max_id)
{
    connection c(a, connection::mode::read_only);
    c.exec("ATTACH DATABASE '" + b.string() + "' AS other");
    return c
        .query_int(fmt::format(
            "SELECT (SELECT count(*) FROM (SELECT * FROM main.events WHERE id <= {0} "
            "EXCEPT SELECT * FROM other.events)) + (SELECT count(*) FROM (SELECT * FROM "
            "other.events EXCEPT SELECT * FROM main.events WHERE id <= {0}))",
            max_id
        ))
        .value_or(-1);
}

cli_result run_shell(const std::string& command)
{
    cli_result r;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr)
        return r;
    std::array<char, 4096> buf{};
    while (auto n = std::fread(buf.data(), 1, buf.size(), p))
        r.output.append(buf.data(), n);
    int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

cli_result promtool_check_metrics(const std::string& exposition)
{
    temp_dir dir;
    std::ofstream(dir / "metrics.txt") << exposition;
    return run_shell("promtool check metrics < " + (dir / "metrics.txt").string());
}

} // namespace cpamd::test
