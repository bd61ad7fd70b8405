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

namespace
{

std::vector<std::string> with_statistics(std::vector<std::string> extra)
{
    extra.insert(extra.begin(), {"--usage-statistics-enabled", "true"});
    return extra;
}

} // namespace

traffic_sim::traffic_sim(std::vector<std::string> extra) : sim_process(with_statistics(std::move(extra))) {}

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
        {"CPA_MANAGEMENT_KEY", sim_management_key},
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

std::int64_t query_int(const std::filesystem::path& db, const std::string& sql)
{
    if (!std::filesystem::exists(db))
        return 0;
    store::connection c(db, store::connection::mode::read_only);
    return c.query_int(sql).value_or(0);
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

boost::json::object daemon_status(running_daemon& d)
{
    auto r = d.client().get("/status", bearer(admin_key));
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body).as_object();
}

boost::json::object collector_status(running_daemon& d)
{
    return daemon_status(d).at("collector").as_object();
}

std::string string_field(const boost::json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
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
