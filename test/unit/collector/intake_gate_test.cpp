// The intake gate: when the collector may take records from CPA (disk reserve, failed spool
// appends, the ingest's backlog).

#include <catch2/catch.hpp>
#include <cpamd/collector/intake_gate.hpp>
#include <cpamd/test/temp_dir.hpp>

using namespace cpamd::collector;

TEST_CASE("the gate closes for pops above the pop backlog, for subscriptions only above theirs")
{
    cpamd::test::temp_dir dir;
    std::uint64_t backlog = 0;
    intake_limits limits;
    limits.disk_reserve = 0;
    intake_gate gate(
        dir.path(), [&] { return backlog; }, limits
    );
    std::string why;
    CHECK(gate.for_pop(why) == intake_state::open);
    backlog = limits.pop_backlog + 1;
    CHECK(gate.for_pop(why) == intake_state::backlog);
    CHECK_THAT(why, Catch::Contains("wait to be stored"));
    CHECK(gate.for_subscription(why) == intake_state::open);
    backlog = limits.subscribe_backlog + 1;
    CHECK(gate.for_subscription(why) == intake_state::backlog);
}

TEST_CASE("the gate closes while less than the reserve is free, naming the space left")
{
    cpamd::test::temp_dir dir;
    intake_limits limits;
    limits.disk_reserve = std::uint64_t{1} << 62; // more than any disk has
    intake_gate gate(dir.path(), {}, limits);
    std::string why;
    CHECK(gate.for_pop(why) == intake_state::disk);
    CHECK(gate.for_subscription(why) == intake_state::disk);
    CHECK_THAT(why, Catch::Contains("MiB free in " + dir.path().string()));
}

TEST_CASE("after a failed spool append the gate stays closed until a probe write works")
{
    cpamd::test::temp_dir dir;
    auto spool = dir / "spool";
    intake_limits limits;
    limits.disk_reserve = 0;
    intake_gate gate(spool, {}, limits);
    int back = 0;
    gate.on_disk_back([&] { ++back; });
    gate.spool_failed("append to spool: No space left on device");
    std::string why;
    // The directory does not exist: the probe cannot write either.
    CHECK(gate.for_pop(why) == intake_state::disk);
    CHECK_THAT(why, Catch::Contains("No space left on device"));
    CHECK(back == 0);
    std::filesystem::create_directories(spool);
    CHECK(gate.for_pop(why) == intake_state::open);
    CHECK(back == 1);
    CHECK_FALSE(std::filesystem::exists(spool / ".probe"));
    CHECK(gate.for_pop(why) == intake_state::open);
    CHECK(back == 1);
}
