#include "setup_fixture.hpp"

#include <boost/json/parse.hpp>
#include <cpamd/store/settings.hpp>
#include <cpamd/store/sqlite.hpp>
#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace cpamd::test
{

using namespace std::chrono_literals;

std::filesystem::path data_dir_of(const temp_dir& dir)
{
    return dir / "data";
}

std::unique_ptr<running_daemon> start_daemon(const temp_dir& dir, std::map<std::string, std::string> env)
{
    env["USAGE_DATA_DIR"] = data_dir_of(dir).string();
    return std::make_unique<running_daemon>(std::move(env));
}

std::string stop_daemon(running_daemon& d)
{
    d.process().signal(SIGTERM);
    d.process().wait(15s);
    return d.process().output();
}

std::string generated_admin_key(const std::string& log)
{
    static const std::regex re(R"(CPA Manager Plus admin key generated: (cpamp_[0-9A-Za-z]{32}))");
    std::smatch m;
    return std::regex_search(log, m, re) ? m[1].str() : std::string();
}

std::map<std::string, std::string> bearer(const std::string& key)
{
    return {{"Authorization", "Bearer " + key}};
}

boost::json::value parse(const std::string& body)
{
    return boost::json::parse(body);
}

std::optional<std::string> read_setting_row(const std::filesystem::path& db, const std::string& key)
{
    store::connection c(db, store::connection::mode::read_only);
    return store::read_setting(c, key);
}

std::string raw_database_bytes(const std::filesystem::path& db)
{
    std::string all;
    for (const auto* suffix : {"", "-wal", "-shm"})
    {
        std::ifstream in(db.string() + suffix, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        all += s.str();
    }
    return all;
}

command_result run_cpamd(std::vector<std::string> args)
{
    process_options o;
    o.args = std::move(args);
    o.unset_env = {"CPA_MANAGER_CONFIG", "CPA_MANAGER_ADMIN_KEY", "CPA_MANAGER_DATA_KEY", "JOURNAL_STREAM"};
    child_process p(bin_dir() / "cpamd", std::move(o));
    auto code = p.wait(30s);
    return {code.value_or(-1), p.output()};
}

} // namespace cpamd::test
