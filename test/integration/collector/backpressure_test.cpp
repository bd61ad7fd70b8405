// Backpressure from the database to popping: while records wait to be stored (held in memory by
// the ingest), cpamd stops taking more from CPA once they pass a bound, and carries on when the
// database catches up. Nothing is lost either way.

#include "collector_fixture.hpp"

#include <catch2/catch.hpp>
#include <cpamd/store/sqlite.hpp>
#include <thread>

using namespace cpamd::test;
using namespace std::chrono_literals;

TEST_CASE("a stalled database stops the popping at the backlog bound; it resumes when it is free")
{
    constexpr int total = 30000; // about 60 MB of records: well above the 32 MiB bound
    constexpr std::int64_t bound = 32ll << 20;
    temp_dir dir;
    traffic_sim sim({"--rate", "30000", "--total", std::to_string(total), "--seed", "8", "--paused"});
    auto d = start_daemon(dir, collector_env(sim, "http"));
    REQUIRE(wait_for_collector(*d, "collector", "running", 20s));
    auto db = data_dir_of(dir) / "usage.sqlite";

    // Another writer holds the database: every transaction of cpamd's writer fails (busy).
    cpamd::store::connection lock(db, cpamd::store::connection::mode::read_write);
    lock.exec("BEGIN IMMEDIATE");
    REQUIRE(sim.control("POST", "/_sim/resume").status == 200);
    // Generous: a sanitizer build pops and spools several times slower.
    auto deadline = std::chrono::steady_clock::now() + 120s;
    while (collector_status(*d).at("backlogBytes").as_int64() < bound &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    std::this_thread::sleep_for(2s);
    auto st = collector_status(*d);
    auto stats = sim.stats();
    INFO(
        "backlog " << st.at("backlogBytes").as_int64() << " bytes, CPA queue "
                   << stats.at("queue_depth").as_int64()
    );
    CHECK(st.at("backlogBytes").as_int64() >= bound);
    CHECK(st.at("backlogBytes").as_int64() < bound + (4ll << 20)); // at most one pop beyond the bound
    CHECK(stats.at("queue_depth").as_int64() > 0);                 // the rest waits in CPA's queue
    const auto consumed = st.at("totalConsumed").as_int64();
    std::this_thread::sleep_for(1s);
    CHECK(collector_status(*d).at("totalConsumed").as_int64() == consumed); // no pop meanwhile

    lock.exec("ROLLBACK");
    CHECK(sim.wait_drained(40s));
    auto ledger = read_ledger(sim.ledger());
    CHECK(ledger.delivered.size() == total);
    CHECK(ledger.lost.empty());
    CHECK(wait_for_events(db, total, 60s) == total);
    CHECK(collector_status(*d).at("backlogBytes").as_int64() == 0);
    stop_daemon(*d);
}
