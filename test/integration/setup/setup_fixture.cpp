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

cpa_sim::cpa_sim(std::vector<std::string> extra)
{
    process_options o;
    o.args = {"--listen", "127.0.0.1:0", "--management-key", sim_key};
    o.args.insert(o.args.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<child_process>(bin_dir() / "cpa-sim", std::move(o));
    if (!proc_->wait_for_output("cpa-sim listening on", 10s))
        throw std::runtime_error("cpa-sim did not start:\n" + proc_->output());
    static const std::regex re(R"(cpa-sim listening on [0-9.]+:(\d+))");
    std::smatch m;
    std::string out = proc_->output();
    if (!std::regex_search(out, m, re))
        throw std::runtime_error("no port in cpa-sim output:\n" + out);
    port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
}

http_reply cpa_sim::mgmt(const std::string& method, const std::string& target, const std::string& body)
{
    http_client c("127.0.0.1", port_);
    std::map<std::string, std::string> h{{"Authorization", "Bearer " + sim_key}};
    if (!body.empty())
        h["Content-Type"] = "application/json";
    return c.request(method, target, body, h);
}

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
