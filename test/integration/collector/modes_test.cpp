// Every mode end to end against cpa-sim with a ledger: each event the ledger says was delivered is
// stored exactly once, and nothing is left behind in CPA's queue or our spool.

#include "collector_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/sanitizer.hpp>
#include <iostream>
#include <thread>

using namespace cpamd::test;
using namespace std::chrono_literals;

namespace
{

// Runs 5000 events through `mode`. With `wait_subscribed`, traffic starts only once the collector
// reports `transport` (a pure subscriber never sees what was queued before it subscribed).
void check_exactly_once(
    const std::string& mode,
    const std::string& transport,
    bool wait_subscribed,
    std::vector<std::string> extra_sim_args = {}
)
{
    temp_dir dir;
    // A quarter of the rate under the sanitizers: a subscriber that lags behind cpa-sim's channel
    // buffer is disconnected (CPA's rule), and a loaded sanitizer build lagged once.
    std::vector<std::string> args{
        "--rate", std::to_string(cpamd::test::traffic_rate(1000)), "--total", "5000", "--seed", "11"};
    args.insert(args.end(), extra_sim_args.begin(), extra_sim_args.end());
    if (wait_subscribed)
        args.push_back("--paused");
    traffic_sim sim(args);
    auto d = start_daemon(dir, collector_env(sim, mode));
    if (wait_subscribed)
    {
        REQUIRE(wait_for_collector(*d, "transport", transport, 20s));
        REQUIRE(sim.control("POST", "/_sim/resume").status == 200);
    }
    REQUIRE(sim.wait_drained(40s));
    auto ledger = read_ledger(sim.ledger());
    CHECK(ledger.produced.size() == 5000);
    CHECK(ledger.lost.empty());
    CHECK(ledger.delivered.size() == 5000);
    auto db = data_dir_of(dir) / "usage.sqlite";
    auto stored = wait_for_events(db, static_cast<std::int64_t>(ledger.delivered.size()), 15s);
    CHECK(stored == static_cast<std::int64_t>(ledger.delivered.size()));
    auto st = collector_status(*d);
    CHECK(st.at("mode").as_string() == mode);
    CHECK(st.at("transport").as_string() == transport);
    CHECK(st.at("spoolDepth").as_int64() == 0);
    auto log = stop_daemon(*d);
    CHECK(log.find(sim_management_key) == std::string::npos);
}

} // namespace

TEST_CASE("resp mode: 5000 generated events are stored exactly once")
{
    check_exactly_once("resp", "resp", false);
}

TEST_CASE("subscribe mode: 5000 events published to the subscriber are stored exactly once")
{
    check_exactly_once("subscribe", "subscribe", true);
}

TEST_CASE("auto mode: the backlog is drained, then the subscription carries the rest, exactly once")
{
    // Traffic starts at once, so part of it is queued before the subscription exists.
    check_exactly_once("auto", "subscribe", false);
}

TEST_CASE("auto mode against a CPA with RESP disabled (v7.1.17) falls back to the HTTP queue")
{
    check_exactly_once("auto", "http", false, {"--resp-disabled"});
}

TEST_CASE("http and auto modes collect from a CPA served over TLS, verifying its certificate")
{
    for (std::string mode : {"http", "auto"})
    {
        CAPTURE(mode);
        temp_dir dir;
        const auto cert = dir / "cpa-sim.pem";
        traffic_sim sim({"--tls", "--tls-cert-out", cert.string(), "--rate", "1000", "--total", "2000"});
        auto env = collector_env(sim, mode);
        env["CPA_UPSTREAM_URL"] = "https://127.0.0.1:" + std::to_string(sim.port());
        env["SSL_CERT_FILE"] = cert.string(); // trust the simulator's self-signed certificate
        auto d = start_daemon(dir, env);
        // The control API is behind TLS too: follow the ledger file instead.
        auto deadline = std::chrono::steady_clock::now() + 30s;
        ledger_counts ledger;
        do
        {
            std::this_thread::sleep_for(100ms);
            ledger = read_ledger(sim.ledger());
        } while (ledger.delivered.size() < 2000 && std::chrono::steady_clock::now() < deadline);
        CHECK(ledger.delivered.size() == 2000);
        auto db = data_dir_of(dir) / "usage.sqlite";
        CHECK(wait_for_events(db, 2000, 15s) == 2000);
        auto log = stop_daemon(*d);
        CHECK(log.find(sim_management_key) == std::string::npos);
    }
}

TEST_CASE(
    "auto mode when CPA drops the subscriber for overflowing: pops, resubscribes, stores what was delivered"
)
{
    // A 2-message subscriber buffer at 3000 events/s overflows on bursts: CPA closes the
    // subscriber and what was buffered for it is lost (the ledger says so). Everything CPA did
    // deliver, by either pop or push, must be stored exactly once, and collection must go on.
    temp_dir dir;
    traffic_sim sim({"--rate", "3000", "--total", "6000", "--seed", "5", "--subscriber-buffer", "2"});
    auto d = start_daemon(dir, collector_env(sim, "auto"));
    REQUIRE(sim.wait_drained(60s));
    auto ledger = read_ledger(sim.ledger());
    CHECK(ledger.produced.size() == 6000);
    INFO("delivered " << ledger.delivered.size() << ", lost " << ledger.lost.size());
    CHECK(ledger.delivered.size() + ledger.lost.size() >= 6000);
    auto db = data_dir_of(dir) / "usage.sqlite";
    auto stored = wait_for_events(db, static_cast<std::int64_t>(ledger.delivered.size()), 15s);
    CHECK(stored == static_cast<std::int64_t>(ledger.delivered.size()));
    auto stats = sim.stats();
    std::cout << "subscriber overflow: produced 6000, delivered " << ledger.delivered.size() << ", lost "
              << ledger.lost.size() << ", overflow disconnects "
              << stats.at("overflow_disconnects").as_int64() << ", cpamd reconnects "
              << collector_status(*d).at("reconnects").as_int64() << '\n';
    if (stats.at("overflow_disconnects").as_int64() > 0)
        CHECK(collector_status(*d).at("reconnects").as_int64() > 0);
    CHECK(collector_status(*d).at("spoolDepth").as_int64() == 0);
    stop_daemon(*d);
}
