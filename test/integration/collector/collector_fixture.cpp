#include "collector_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/store/sqlite.hpp>
#include <fstream>
#include <thread>

namespace cpamd::test
{

using namespace std::chrono_literals;

ledger_counts read_ledger(const std::filesystem::path& file)
{
    ledger_counts c;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
    {
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        if (ec || !v.is_object())
            continue; // a line being written
        const auto& o = v.as_object();
        auto seq = static_cast<std::uint64_t>(o.at("seq").as_int64());
        auto ev = o.at("event").as_string();
        if (ev == "produced")
            c.produced.insert(seq);
        else if (ev == "delivered")
            c.delivered.insert(seq);
        else if (ev == "lost")
            c.lost.insert(seq);
        else if (ev == "expired")
            c.expired.insert(seq);
    }
    return c;
}

traffic_sim::traffic_sim(const temp_dir& dir, std::vector<std::string> extra) : ledger_(dir / "ledger.jsonl")
{
    std::vector<std::string> args{
        "--ledger", ledger_.string(), "--control-key", control_key, "--usage-statistics-enabled", "true"};
    args.insert(args.end(), extra.begin(), extra.end());
    sim_ = std::make_unique<cpa_sim>(std::move(args));
}

http_reply traffic_sim::control(const std::string& method, const std::string& target, const std::string& body)
{
    http_client c("127.0.0.1", sim_->port());
    std::map<std::string, std::string> h{{"Authorization", "Bearer " + control_key}};
    if (!body.empty())
        h["Content-Type"] = "application/json";
    return c.request(method, target, body, h);
}

boost::json::object traffic_sim::stats()
{
    return boost::json::parse(control("GET", "/_sim/stats").body).as_object();
}

bool traffic_sim::wait_drained(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        auto s = stats();
        if (s.at("generator_done").as_bool() && s.at("queue_depth").as_int64() == 0)
            return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

std::map<std::string, std::string> collector_env(const traffic_sim& sim, const std::string& mode)
{
    return {
        {"CPA_UPSTREAM_URL", sim.url()},
        {"CPA_MANAGEMENT_KEY", sim_key},
        {"CPA_MANAGER_ADMIN_KEY", admin_key},
        {"USAGE_COLLECTOR_MODE", mode},
        {"USAGE_POLL_INTERVAL_MS", "50"},
        {"USAGE_PLUGIN_DIR", CPAMD_PLUGIN_DIR}};
}

std::int64_t count_rows(const std::filesystem::path& db, const std::string& table)
{
    if (!std::filesystem::exists(db))
        return 0;
    store::connection c(db, store::connection::mode::read_only);
    return c.query_int("SELECT count(*) FROM " + table).value_or(0);
}

std::int64_t
wait_for_events(const std::filesystem::path& db, std::int64_t n, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::int64_t have = 0;
    while (std::chrono::steady_clock::now() < deadline)
    {
        have = count_rows(db, "events");
        if (have >= n)
            return have;
        std::this_thread::sleep_for(100ms);
    }
    return have;
}

boost::json::object collector_status(running_daemon& d)
{
    auto r = d.client().get("/status", bearer(admin_key));
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body).as_object().at("collector").as_object();
}

bool wait_for_collector(
    running_daemon& d, const std::string& field, const std::string& value, std::chrono::milliseconds timeout
)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        auto st = collector_status(d);
        if (const auto* v = st.if_contains(field); v && v->is_string() && v->as_string() == value)
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

} // namespace cpamd::test
