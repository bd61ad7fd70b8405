// Forced `subscribe` mode is lossless too: what CPA queued before the subscription is drained by
// popping after it is confirmed. And a subscription that breaks the protocol is visible in /status.

#include "collector_fixture.hpp"

#include <catch2/catch.hpp>
#include <cpamd/test/sanitizer.hpp>
#include <thread>

using namespace cpamd::test;
using namespace std::chrono_literals;

TEST_CASE("subscribe mode drains the backlog queued before it subscribed, then takes live traffic")
{
    constexpr int total = 5000;
    temp_dir dir;
    traffic_sim sim(
        {"--rate", std::to_string(traffic_rate(2000)), "--total", std::to_string(total), "--seed", "13"}
    );
    // A backlog first: about 2000 records queued while no cpamd runs.
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (sim.stats().at("queue_depth").as_int64() < 2000 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    REQUIRE(sim.control("POST", "/_sim/pause").status == 200);
    const auto backlog = sim.stats().at("queue_depth").as_int64();
    REQUIRE(backlog >= 2000);

    auto d = start_daemon(dir, collector_env(sim, "subscribe"));
    REQUIRE(wait_for_collector(*d, "activeTransport", "subscribe", 20s));
    REQUIRE(sim.control("POST", "/_sim/resume").status == 200);
    CHECK(sim.wait_drained(60s));

    auto ledger = read_ledger(sim.ledger());
    INFO("backlog " << backlog << ", delivered " << ledger.delivered.size());
    CHECK(ledger.produced.size() == total);
    CHECK(ledger.delivered.size() == total);
    CHECK(ledger.lost.empty());
    CHECK(ledger.expired.empty());
    auto db = data_dir_of(dir) / "usage.sqlite";
    CHECK(wait_for_events(db, total, 15s) == total);
    auto st = collector_status(*d);
    CHECK(st.at("mode").as_string() == "subscribe");
    CHECK(st.at("spoolDepth").as_int64() == 0);
    stop_daemon(*d);
}

TEST_CASE("a subscription that breaks the RESP protocol shows in /status, in subscribe and auto modes")
{
    traffic_sim sim({"--rate", "0"});
    REQUIRE(sim.control("POST", "/_sim/faults", R"({"subscribe_garbage":true})").status == 200);
    {
        // Forced subscribe: there is no other way to collect, so the collector is in error.
        temp_dir dir;
        auto d = start_daemon(dir, collector_env(sim, "subscribe"));
        CHECK(wait_for_collector(*d, "collector", "error", 15s));
        auto st = collector_status(*d);
        INFO("lastError: " << string_field(st, "lastError"));
        CHECK(string_field(st, "lastError").find("protocol error") != std::string::npos);
        stop_daemon(*d);
    }
    {
        // Auto: polling carries on, and the subscription's failure stays visible meanwhile.
        temp_dir dir;
        auto d = start_daemon(dir, collector_env(sim, "auto"));
        auto deadline = std::chrono::steady_clock::now() + 15s;
        while (collector_status(*d).at("reconnects").as_int64() < 1 &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(50ms);
        int shown = 0;
        for (int i = 0; i < 10; ++i)
        {
            auto st = collector_status(*d);
            if (string_field(st, "lastError").find("subscribe") != std::string::npos)
                ++shown;
            std::this_thread::sleep_for(100ms);
        }
        CHECK(shown == 10);
        stop_daemon(*d);
    }
}

TEST_CASE("SIGTERM while subscribed (auto mode) loses nothing: the subscription ends with UNSUBSCRIBE")
{
    constexpr int total = 6000;
    temp_dir dir;
    traffic_sim sim({"--rate", "1500", "--total", std::to_string(total), "--seed", "17"});
    auto env = collector_env(sim, "auto");
    auto d = start_daemon(dir, env);
    for (int i = 0; i < 3; ++i)
    {
        REQUIRE(wait_for_collector(*d, "activeTransport", "subscribe", 20s));
        std::this_thread::sleep_for(700ms);
        stop_daemon(*d);
        d.reset();
        d = start_daemon(dir, env);
    }
    CHECK(sim.wait_drained(40s));
    auto ledger = read_ledger(sim.ledger());
    INFO("delivered " << ledger.delivered.size() << ", lost " << ledger.lost.size());
    CHECK(ledger.lost.empty());
    CHECK(ledger.delivered.size() == total);
    auto db = data_dir_of(dir) / "usage.sqlite";
    CHECK(wait_for_events(db, total, 15s) == total);
    stop_daemon(*d);
}
