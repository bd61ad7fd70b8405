// The HTTP transport end to end: cpa-sim generates, cpamd (mode http) collects; every record the
// ledger says was delivered is stored exactly once, also through faults.

#include "collector_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <thread>

using namespace cpamd::test;
using namespace std::chrono_literals;

namespace
{

std::filesystem::path db_of(const temp_dir& dir)
{
    return data_dir_of(dir) / "usage.sqlite";
}

} // namespace

TEST_CASE("http mode: 5000 generated events are stored exactly once")
{
    temp_dir dir;
    traffic_sim sim({"--rate", "2500", "--total", "5000", "--seed", "7"});
    auto d = start_daemon(dir, collector_env(sim));
    REQUIRE(sim.wait_drained(30s));
    auto ledger = read_ledger(sim.ledger());
    CHECK(ledger.produced.size() == 5000);
    CHECK(ledger.lost.empty());
    auto stored = wait_for_events(db_of(dir), static_cast<std::int64_t>(ledger.delivered.size()), 15s);
    CHECK(ledger.delivered.size() == 5000);
    CHECK(stored == static_cast<std::int64_t>(ledger.delivered.size()));
    CHECK(count_rows(db_of(dir), "rejects") == 0);

    auto st = collector_status(*d);
    CHECK(st.at("collector").as_string() == "running");
    CHECK(st.at("mode").as_string() == "http");
    CHECK(st.at("transport").as_string() == "http");
    CHECK(st.at("totalInserted").as_int64() == 5000);
    CHECK(st.at("spoolDepth").as_int64() == 0);
    auto log = stop_daemon(*d);
    CHECK(log.find("collector plugin loaded: http") != std::string::npos);
    CHECK(log.find(sim_management_key) == std::string::npos); // the management key never reaches the log
}

TEST_CASE("http mode: 500s, slow answers, cut replies and a CPA restart lose nothing we received")
{
    temp_dir dir;
    traffic_sim sim({"--rate", "400", "--total", "4000", "--seed", "11"});
    auto d = start_daemon(dir, collector_env(sim));

    std::this_thread::sleep_for(1s);
    sim.control("POST", "/_sim/faults", R"({"fail_500":3})");
    std::this_thread::sleep_for(2s);
    sim.control("POST", "/_sim/faults", R"({"delay_ms":300})");
    std::this_thread::sleep_for(1s);
    sim.control("POST", "/_sim/faults", R"({"delay_ms":0,"drop_mid_response":2})");
    std::this_thread::sleep_for(2s);
    sim.control("POST", "/_sim/restart");

    REQUIRE(sim.wait_drained(40s));
    auto ledger = read_ledger(sim.ledger());
    // Records popped into a reply that was cut (or queued at the restart) are lost by CPA
    // itself; the ledger says so and they are not ours to count.
    auto stored = wait_for_events(db_of(dir), static_cast<std::int64_t>(ledger.delivered.size()), 15s);
    INFO(
        "produced " << ledger.produced.size() << " delivered " << ledger.delivered.size() << " lost "
                    << ledger.lost.size()
    );
    CHECK(stored == static_cast<std::int64_t>(ledger.delivered.size()));
    CHECK(ledger.delivered.size() + ledger.lost.size() == ledger.produced.size());
    CHECK(count_rows(db_of(dir), "rejects") == 0);
    auto st = collector_status(*d);
    CHECK(st.at("collector").as_string() == "running");
    stop_daemon(*d);
}

TEST_CASE("old CPA without the HTTP queue: 404 makes the collector fall back")
{
    temp_dir dir;
    traffic_sim sim({"--rate", "200", "--total", "400", "--old-cpa"});
    auto d = start_daemon(dir, collector_env(sim));
    REQUIRE(d->process().wait_for_output("trying the other pop transport", 10s));
    if (std::filesystem::exists(std::filesystem::path(CPAMD_PLUGIN_DIR) / "collector-resp.so"))
    {
        // With the RESP plugin the queue is drained over RESP instead.
        REQUIRE(sim.wait_drained(30s));
        auto ledger = read_ledger(sim.ledger());
        CHECK(
            wait_for_events(db_of(dir), static_cast<std::int64_t>(ledger.delivered.size()), 15s) ==
            static_cast<std::int64_t>(ledger.delivered.size())
        );
    }
    else
    {
        REQUIRE(d->process().wait_for_output("neither the HTTP nor the RESP usage queue", 10s));
        auto st = collector_status(*d);
        CHECK(st.at("collector").as_string() == "error");
        CHECK(st.at("lastError").as_string().find("no usage queue") != std::string::npos);
    }
    stop_daemon(*d);
}

TEST_CASE("a wrong management key is reported as an auth failure without logging the key")
{
    temp_dir dir;
    traffic_sim sim({"--rate", "10", "--total", "10"});
    auto env = collector_env(sim);
    env["CPA_MANAGEMENT_KEY"] = "wrong-key-abcdef";
    auto d = start_daemon(dir, env);
    REQUIRE(d->process().wait_for_output("auth_failed", 10s));
    auto st = collector_status(*d);
    CHECK(st.at("collector").as_string() == "error");
    auto log = stop_daemon(*d);
    CHECK(log.find("wrong-key-abcdef") == std::string::npos);
}

TEST_CASE("/setup starts the collector and a config save restarts it without restarting the daemon")
{
    temp_dir dir;
    traffic_sim sim({"--rate", "200"});
    auto d = start_daemon(
        dir,
        {{"CPA_MANAGER_ADMIN_KEY", admin_key},
         {"USAGE_PLUGIN_DIR", CPAMD_PLUGIN_DIR},
         {"USAGE_POLL_INTERVAL_MS", "50"}}
    );
    CHECK(collector_status(*d).at("collector").as_string() == "stopped");

    auto c = d->client();
    auto headers = bearer(admin_key);
    headers["Content-Type"] = "application/json";
    auto setup = c.request(
        "POST",
        "/setup",
        R"({"cpaBaseUrl":")" + sim.url() + R"(","cpaManagementKey":")" + sim_management_key +
            R"(","collectorMode":"http"})",
        headers
    );
    REQUIRE(setup.status == 200);
    CHECK(wait_for_events(db_of(dir), 50, 10s) >= 50);
    CHECK(collector_status(*d).at("mode").as_string() == "http");

    auto put = c.request(
        "PUT",
        "/usage-service/config",
        R"({"config":{"collector":{"collectorMode":"auto","batchSize":7}}})",
        headers
    );
    REQUIRE(put.status == 200);
    REQUIRE(d->process().wait_for_output("collector: starting, mode auto", 10s));
    auto before = count_rows(db_of(dir), "events");
    CHECK(wait_for_events(db_of(dir), before + 50, 10s) >= before + 50);
    CHECK(wait_for_collector(*d, "collector", "running", 10s));
    CHECK(collector_status(*d).at("mode").as_string() == "auto");

    // Turning collection off stops it. The daemon logged "not started" once already, at start.
    const auto logged = d->process().output().size();
    auto off =
        c.request("PUT", "/usage-service/config", R"({"config":{"collector":{"enabled":false}}})", headers);
    REQUIRE(off.status == 200);
    REQUIRE(d->process().wait_for_output("collector: not started", 10s, logged));
    CHECK(wait_for_collector(*d, "collector", "stopped", 5s));
    stop_daemon(*d);
}
