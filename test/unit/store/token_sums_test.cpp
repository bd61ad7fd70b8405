// Sums the store keeps (rollups, range totals) stay exact: the parser bounds every summed value
// (usage/limits.hpp), and what adds them up in C++ refuses to wrap (issue 17, item 9). The store
// also refuses a timestamp its nanosecond column cannot hold instead of wrapping it (item 8).

#include <catch2/catch.hpp>
#include <cpamd/store/batch_writer.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/range_totals.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <fmt/format.h>
#include <stdexcept>
#include <vector>

using namespace cpamd::store;
namespace usage = cpamd::usage;

namespace
{

constexpr std::int64_t billion = 1000000000;
constexpr std::int64_t hour_ns = 3600 * billion;
constexpr std::int64_t day_ns = 1787356800 * billion; // 2026-08-22T00:00:00Z

// Event `i` at 06:mm:ss of the day, every counter (and its latency) as large as accepted.
usage::event largest_event(int i)
{
    auto record = fmt::format(
        R"({{"timestamp":"2026-08-22T06:{:02}:{:02}.{:06}Z","latency_ms":{b},"ttft_ms":{b},"provider":"codex",)"
        R"("model":"gpt-5","endpoint":"POST /v1/responses","request_id":"{:08x}","tokens":{{"input_tokens":{b},)"
        R"("output_tokens":{b},"reasoning_tokens":{b},"cached_tokens":{b},"cache_tokens":{b},)"
        R"("cache_read_tokens":{b},"cache_creation_tokens":{b},"total_tokens":{b}}}}})",
        i / 60 % 60,
        i % 60,
        i,
        static_cast<unsigned>(i),
        fmt::arg("b", billion)
    );
    auto r = usage::parse_record(std::string_view(record));
    REQUIRE(r.has_value());
    return *r;
}

std::int64_t query(connection& db, const char* sql)
{
    return db.query_int(sql).value_or(-1);
}

} // namespace

TEST_CASE("a record with 2^64 tokens never reaches the store", "[store][sums]")
{
    // It used to be clamped to INT64_MAX, and two of them wrapped the rollup sums.
    for (const char* value : {"18446744073709551616", "18446744073709551615", "9223372036854775807"})
    {
        auto r = usage::parse_record(fmt::format(
            R"({{"timestamp":"2026-08-22T06:00:00Z","model":"m","tokens":{{"total_tokens":{}}}}})", value
        ));
        REQUIRE_FALSE(r.has_value());
        CHECK(usage::describe(r.error()).find("token counter is outside") != std::string::npos);
    }
}

TEST_CASE("rollup sums of the largest accepted counters are exact, folded or deferred", "[store][sums]")
{
    cpamd::test::temp_dir dir;
    auto db = open_writer(dir / "usage.sqlite");
    batch_writer writer(db);
    const int n = 6000;
    std::vector<usage::event> evs;
    for (int i = 0; i < n; ++i)
        evs.push_back(largest_event(i));
    // Half folded at once, half left as a deferred delta, then both folded together.
    writer.write(std::span(evs).first(n / 2), {}, nullptr, rollup_mode::fold);
    writer.write(std::span(evs).subspan(n / 2), {}, nullptr, rollup_mode::defer);
    auto mid = totals_between(db, day_ns, day_ns + 24 * hour_ns);
    writer.fold_pending_rollups();
    auto end = totals_between(db, day_ns, day_ns + 24 * hour_ns);
    auto raw = raw_totals_between(db, day_ns, day_ns + 24 * hour_ns);

    const std::int64_t exact = n * billion;
    for (const auto* t : {&mid, &end, &raw})
    {
        CHECK(t->calls == n);
        for (int i = 0; i < 8; ++i)
            CHECK(t->tokens[i] == exact);
        CHECK(t->cost_tokens[0] == 0); // uncached = input - cache read - cache write, floored at 0
        for (int i = 1; i < 5; ++i)
            CHECK(t->cost_tokens[i] == exact);
        CHECK(t->latency_sum == exact);
    }
    CHECK(query(db, "SELECT sum(total_tokens) FROM rollup_hour") == exact);
    CHECK(query(db, "SELECT sum(latency_sum) FROM rollup_hour") == exact);
    CHECK(query(db, "SELECT sum(ttft_sum) FROM rollup_hour") == exact);
    CHECK(query(db, "SELECT sum(total_tokens) FROM events") == exact);
    CHECK(query(db, "SELECT sum(cost_cache_write) FROM events") == exact);
}

TEST_CASE("range totals refuse to wrap past int64", "[store][sums]")
{
    range_totals a, b;
    a.tokens[7] = INT64_MAX;
    b.tokens[7] = 1;
    CHECK_THROWS_AS(a += b, std::overflow_error);
    range_totals c, d;
    c.latency_sum = INT64_MIN;
    d.latency_sum = -1;
    CHECK_THROWS_AS(c += d, std::overflow_error);
}

TEST_CASE("the writer refuses a timestamp its nanosecond column cannot hold", "[store][sums]")
{
    // Only reachable by building an event by hand: the parser rejects these (usage/limits.hpp).
    cpamd::test::temp_dir dir;
    auto db = open_writer(dir / "usage.sqlite");
    batch_writer writer(db);
    for (const char* ts : {"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2262-04-12T00:00:00Z"})
    {
        INFO(ts);
        auto ev = largest_event(1);
        ev.timestamp = ts;
        CHECK_THROWS_AS(event_time_ns(ev), std::out_of_range);
        std::vector<usage::event> one{ev};
        CHECK_THROWS(writer.write(one, {}));
    }
    CHECK(query(db, "SELECT count(*) FROM events") == 0);
}

TEST_CASE("a collected record outside the ranges becomes a reject row with its reason", "[store][sums]")
{
    // What the collector does with a record the parser refuses (libs/collector/src/ingest.cpp).
    cpamd::test::temp_dir dir;
    auto db = open_writer(dir / "usage.sqlite");
    batch_writer writer(db);
    std::vector<rejected_record> rejects;
    for (const char* raw :
         {R"({"timestamp":"0001-01-01T00:00:00Z","model":"m","tokens":{"input_tokens":1}})",
          R"({"timestamp":"soon","model":"m"})",
          R"({"timestamp":1787378400,"model":"m","tokens":{"total_tokens":18446744073709551616}})"})
    {
        auto r = usage::parse_record(std::string_view(raw));
        REQUIRE_FALSE(r.has_value());
        rejects.push_back({"collector:test", r.error().message(), raw});
    }
    auto counts = writer.write({}, rejects);
    CHECK(counts.rejected == 3);
    CHECK(query(db, "SELECT count(*) FROM events") == 0);
    auto s = db.prepare("SELECT reason FROM rejects ORDER BY id");
    std::vector<std::string> reasons;
    while (s.step())
        reasons.emplace_back(s.text(0));
    REQUIRE(reasons.size() == 3);
    CHECK(reasons[0].find("timestamp is outside") != std::string::npos);
    CHECK(reasons[1].find("timestamp is not a valid time") != std::string::npos);
    CHECK(reasons[2].find("token counter is outside") != std::string::npos);
}
