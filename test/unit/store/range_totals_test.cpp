#include "sample_events.hpp"

#include <catch2/catch.hpp>
#include <cpamd/store/batch_writer.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/range_totals.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <random>

using namespace cpamd::store;
using cpamd::test::sample_event;

namespace
{

constexpr std::int64_t hour_ns = 3600LL * 1000 * 1000 * 1000;
// sample_event(i, h) falls in hour h of 2026-08-22 (UTC).
constexpr std::int64_t day_ns = 1787356800LL * 1000 * 1000 * 1000;

void check_equal(const range_totals& a, const range_totals& b)
{
    CHECK(a.calls == b.calls);
    CHECK(a.failures == b.failures);
    for (int i = 0; i < 8; ++i)
        CHECK(a.tokens[i] == b.tokens[i]);
    for (int i = 0; i < 5; ++i)
        CHECK(a.cost_tokens[i] == b.cost_tokens[i]);
    CHECK(a.latency_count == b.latency_count);
    CHECK(a.latency_sum == b.latency_sum);
    CHECK(a.latency.buckets() == b.latency.buckets());
}

// `n` events in `hour` of the sample day, `step` request ids apart.
std::vector<cpamd::usage::event> events_in_hour(int hour, int n, int step)
{
    std::vector<cpamd::usage::event> evs;
    for (int i = 0; i < n; ++i)
        evs.push_back(sample_event(hour * 1000 + i * step, hour));
    return evs;
}

} // namespace

TEST_CASE("totals over a range from rollups plus raw edges equal a raw scan", "[store][range]")
{
    cpamd::test::temp_dir dir;
    auto db = open_writer(dir / "usage.sqlite");
    batch_writer writer(db);
    for (int hour = 2; hour < 12; ++hour)
        writer.write(events_in_hour(hour, 300, 11), {});

    std::mt19937_64 rng(5);
    std::uniform_int_distribution<std::int64_t> offset(0, 14 * hour_ns);
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges{
        {day_ns, day_ns + 24 * hour_ns},                        // everything, whole hours only
        {day_ns + 3 * hour_ns, day_ns + 5 * hour_ns},           // exactly two hours
        {day_ns + 3 * hour_ns + 17, day_ns + 3 * hour_ns + 99}, // inside one hour
        {day_ns + 5 * hour_ns, day_ns + 5 * hour_ns},           // empty
    };
    for (int i = 0; i < 30; ++i)
    {
        auto a = day_ns + offset(rng), b = day_ns + offset(rng);
        ranges.emplace_back(std::min(a, b), std::max(a, b));
    }
    for (auto [from, to] : ranges)
    {
        CAPTURE(from - day_ns, to - day_ns);
        check_equal(totals_between(db, from, to), raw_totals_between(db, from, to));
    }
    auto all = totals_between(db, day_ns, day_ns + 24 * hour_ns);
    CHECK(all.calls == 3000);
}

TEST_CASE("totals include rollup deltas a busy writer has not folded yet", "[store][range]")
{
    cpamd::test::temp_dir dir;
    auto db = open_writer(dir / "usage.sqlite");
    batch_writer writer(db);
    // Hours 2 and 3 folded, the rest deferred.
    for (int hour = 2; hour < 8; ++hour)
        writer.write(
            events_in_hour(hour, 200, 13), {}, nullptr, hour < 4 ? rollup_mode::fold : rollup_mode::defer
        );
    REQUIRE(db.query_int("SELECT count(*) FROM rollup_pending") == 4);
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges{
        {day_ns, day_ns + 24 * hour_ns},
        {day_ns + 3 * hour_ns, day_ns + 6 * hour_ns},
        {day_ns + 4 * hour_ns + 5, day_ns + 7 * hour_ns + 1234567},
    };
    for (auto [from, to] : ranges)
    {
        CAPTURE(from - day_ns, to - day_ns);
        check_equal(totals_between(db, from, to), raw_totals_between(db, from, to));
    }
    CHECK(totals_between(db, day_ns, day_ns + 24 * hour_ns).calls == 1200);
    writer.fold_pending_rollups();
    for (auto [from, to] : ranges)
        check_equal(totals_between(db, from, to), raw_totals_between(db, from, to));

    db.exec("INSERT INTO rollup_pending (events, deltas) VALUES (1, x'ff')");
    CHECK_THROWS_WITH(
        totals_between(db, day_ns, day_ns + 24 * hour_ns),
        Catch::Contains("rollup_pending row 1 is malformed")
    );
}
