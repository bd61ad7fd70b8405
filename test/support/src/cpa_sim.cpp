#include <boost/json/parse.hpp>
#include <cpamd/test/cpa_sim.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <stdexcept>
#include <thread>

namespace cpamd::test
{

using namespace std::chrono_literals;

sim_process::sim_process(std::vector<std::string> extra)
{
    process_options o;
    o.args = {
        "--listen",
        "127.0.0.1:0",
        "--management-key",
        sim_management_key,
        "--control-key",
        sim_control_key,
        "--ledger",
        ledger().string()};
    o.args.insert(o.args.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<child_process>(bin_dir() / "cpa-sim", std::move(o));
    // The port is known once the whole line is out.
    static const std::regex listening(R"(cpa-sim listening on [0-9.]+:(\d+)\n)");
    std::smatch m;
    for (auto waited = 0ms; waited < 10s; waited += 5ms)
    {
        const std::string out = proc_->output();
        if (std::regex_search(out, m, listening))
        {
            port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
            return;
        }
        if (!proc_->running())
            break;
        std::this_thread::sleep_for(5ms);
    }
    throw std::runtime_error("cpa-sim did not start:\n" + proc_->output());
}

namespace
{

http_reply call(
    std::uint16_t port,
    const std::string& key,
    const std::string& method,
    const std::string& target,
    const std::string& body
)
{
    http_client c("127.0.0.1", port);
    std::map<std::string, std::string> h{{"Authorization", "Bearer " + key}};
    if (!body.empty())
        h["Content-Type"] = "application/json";
    return c.request(method, target, body, h);
}

} // namespace

http_reply sim_process::mgmt(const std::string& method, const std::string& target, const std::string& body)
{
    return call(port_, sim_management_key, method, target, body);
}

http_reply sim_process::control(const std::string& method, const std::string& target, const std::string& body)
{
    return call(port_, sim_control_key, method, target, body);
}

boost::json::object sim_process::stats()
{
    return boost::json::parse(control("GET", "/_sim/stats").body).as_object();
}

std::vector<boost::json::object> sim_process::ledger_lines() const
{
    std::vector<boost::json::object> out;
    std::ifstream f(ledger());
    std::string line;
    while (std::getline(f, line))
    {
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        if (!ec && v.is_object())
            out.push_back(std::move(v.as_object()));
    }
    return out;
}

std::vector<std::string> sim_process::resp_commands()
{
    std::vector<std::string> out;
    auto log = boost::json::parse(control("GET", "/_sim/last-requests?n=200").body);
    for (const auto& r : log.as_array())
        if (r.at("protocol").as_string().starts_with("resp"))
            out.push_back(
                std::string(r.at("method").as_string()) + " " + std::string(r.at("target").as_string())
            );
    return out;
}

} // namespace cpamd::test
