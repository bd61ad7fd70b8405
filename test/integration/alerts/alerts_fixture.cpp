#include "alerts_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <ctime>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <thread>

namespace cpamd::test
{

namespace json = boost::json;
using namespace std::chrono_literals;

receiver::receiver(const std::string& mode)
{
    process_options p;
    const auto port_file = dir_.path() / "port";
    p.args = {CPAMD_ALERTS_RECEIVERS, mode, port_file.string(), (dir_.path() / "log.jsonl").string()};
    proc_ = std::make_unique<child_process>("/usr/bin/python3", std::move(p));
    const auto until = std::chrono::steady_clock::now() + 15s;
    while (!std::filesystem::exists(port_file))
    {
        INFO(proc_->output());
        REQUIRE(proc_->running());
        REQUIRE(std::chrono::steady_clock::now() < until);
        std::this_thread::sleep_for(50ms);
    }
    std::ifstream(port_file) >> port_;
}

std::vector<json::object> receiver::received() const
{
    std::vector<json::object> out;
    std::ifstream in(dir_.path() / "log.jsonl");
    std::string line;
    while (std::getline(in, line))
    {
        boost::system::error_code ec;
        auto v = json::parse(line, ec);
        if (!ec && v.is_object())
            out.push_back(v.as_object());
    }
    return out;
}

std::string record_lines(const std::vector<usage_record>& records)
{
    static int serial = 0;
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    std::string out;
    for (const auto& r : records)
    {
        ++serial;
        const auto t = static_cast<std::time_t>(ms / 1000);
        std::string fail;
        if (r.status)
            fail = fmt::format(R"("fail":{{"status_code":{},"body":"upstream said no"}},)", *r.status);
        out += fmt::format(
            R"({{"timestamp":"{:%Y-%m-%dT%H:%M:%S}.{:03}Z","provider":"codex","model":"{}","api_key":"sk-alerts-test",)"
            R"("source":"user{}@example.com","auth_index":"{}","endpoint":"POST /v1/responses","auth_type":"oauth",)"
            R"("request_id":"alert-{}-{}","failed":{},{}"latency_ms":{},)"
            R"("tokens":{{"input_tokens":{},"output_tokens":{},"total_tokens":{}}}}})"
            "\n",
            fmt::gmtime(t),
            ms % 1000,
            r.model,
            r.auth_index.back(),
            r.auth_index,
            ms,
            serial,
            r.status ? "true" : "false",
            fail,
            r.latency_ms,
            r.input_tokens,
            r.output_tokens,
            r.input_tokens + r.output_tokens
        );
    }
    return out;
}

std::vector<usage_record> repeat(const usage_record& r, int n)
{
    return std::vector<usage_record>(static_cast<std::size_t>(n), r);
}

void feed(
    sim_process& sim,
    running_daemon& d,
    const std::vector<usage_record>& records,
    std::int64_t expected_events
)
{
    auto reply = sim.control("POST", "/_sim/enqueue?split=lines&force=true", record_lines(records));
    REQUIRE(reply.status == 200);
    const auto db = d.data_dir() / "usage.sqlite";
    REQUIRE(wait_for_events(db, expected_events, 20s) == expected_events);
}

api_answer
call(running_daemon& d, const std::string& method, const std::string& target, const std::string& body)
{
    // Generous: the ASan build is slow, and a test notice waits for its slowest sink.
    auto r = d.client(30s).request(method, target, body, bearer(admin_key));
    api_answer out;
    out.status = r.status;
    boost::system::error_code ec;
    out.body = json::parse(r.body, ec);
    INFO(method << " " << target << ": " << r.status << " " << r.body);
    REQUIRE(!ec);
    return out;
}

std::vector<json::object> history(running_daemon& d)
{
    auto a = call(d, "GET", "/usage-service/alerts/history?limit=500");
    REQUIRE(a.status == 200);
    std::vector<json::object> out;
    for (const auto& item : a.body.at("items").as_array())
        out.insert(out.begin(), item.as_object());
    return out;
}

std::vector<json::object>
notices(const std::vector<json::object>& items, const std::string& rule, const std::string& event)
{
    std::vector<json::object> out;
    for (const auto& i : items)
        if (i.at("rule").as_string() == rule && i.at("event").as_string() == event)
            out.push_back(i);
    return out;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout)
{
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        if (done())
            return true;
        if (std::chrono::steady_clock::now() >= until)
            return false;
        std::this_thread::sleep_for(100ms);
    }
}

} // namespace cpamd::test
