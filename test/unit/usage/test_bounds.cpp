// What the parser refuses instead of storing something wrong: timestamps outside the range the
// store can hold (or not a time at all), and counters too large to sum exactly (issue 17, items 8
// and 9). The reasons are the text the collector's rejects table and the import errors show.

#include "fixtures.hpp"

#include <catch2/catch.hpp>
#include <cpamd/usage/export_codec.hpp>
#include <cpamd/usage/import_formats.hpp>
#include <fmt/format.h>
#include <string>
#include <vector>

using namespace cpamd::usage;
using namespace cpamd::usage::test;

namespace
{

// The reason parse_record gives for `record`, or "" when it parses.
std::string reason(std::string_view record, const parse_options& opts = fixed_clock())
{
    auto r = parse_record(record, opts);
    return r ? std::string() : describe(r.error());
}

std::string raw_with_timestamp(std::string_view ts_json)
{
    return fmt::format(R"({{"timestamp":{},"model":"m","tokens":{{"input_tokens":1}}}})", ts_json);
}

bool contains(const std::string& s, std::string_view part)
{
    return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("bounds: timestamps the store cannot hold are rejected, not wrapped", "[usage][bounds]")
{
    // The store keeps nanoseconds in an int64 (1677..2262): these used to come back as other years.
    for (const char* ts :
         {R"("0001-01-01T00:00:00Z")",
          R"("1677-09-21T00:12:43Z")",
          R"("1969-12-31T23:59:59.999999999Z")",
          R"("2262-01-01T00:00:00Z")",
          R"("2262-04-12T00:00:00Z")",
          R"("9999-12-31T23:59:59Z")",
          "-1",
          "9214646400",    // seconds: 2262-01-01
          "9214646400000", // milliseconds: 2262-01-01
          "253402300799999",
          "1e300",
          "-1e300",
          "18446744073709551615",
          R"("9214646400000")"})
    {
        INFO(ts);
        auto why = reason(raw_with_timestamp(ts));
        CHECK(contains(why, "timestamp is outside"));
    }
}

TEST_CASE("bounds: the edges of the accepted time range", "[usage][bounds]")
{
    auto low = must_parse(raw_with_timestamp(R"("1970-01-01T00:00:00Z")"));
    CHECK(low.timestamp == "1970-01-01T00:00:00Z");
    CHECK(low.timestamp_ms == 0);
    auto high = must_parse(raw_with_timestamp(R"("2261-12-31T23:59:59.999999999Z")"));
    CHECK(high.timestamp == "2261-12-31T23:59:59.999999999Z");
    CHECK(high.timestamp_ms == 9214646399999);
    CHECK(must_parse(raw_with_timestamp("0")).timestamp == "1970-01-01T00:00:00Z");
}

TEST_CASE(
    "bounds: a timestamp that is not a time is rejected, never replaced by the clock", "[usage][bounds]"
)
{
    // Falling back to "now" gave every import of the same file new events (the hash has the time).
    for (const char* ts :
         {R"("soon")",
          R"("2026-13-01T00:00:00Z")",
          R"("2026-02-30T00:00:00Z")",
          R"("2026-05-06T25:00:00Z")",
          R"("2026-05-06")",
          R"("0000-01-01T00:00:00+01:00")", // year -1: outside what the format has
          "{}",
          "[1]",
          "true"})
    {
        INFO(ts);
        auto record = raw_with_timestamp(ts);
        auto why = reason(record);
        CHECK(contains(why, "timestamp is not a valid time"));
        parse_options later = fixed_clock();
        later.now->seconds += 3600;
        CHECK(reason(record, later) == why);
    }
    // A usable later source still wins over an unusable earlier one.
    CHECK(
        must_parse(R"({"timestamp":"soon","time":1778000000,"model":"m"})").timestamp ==
        "2026-05-05T16:53:20Z"
    );
}

TEST_CASE("bounds: a record without any timestamp is rejected", "[usage][bounds]")
{
    for (const char* record :
         {R"({"model":"m","tokens":{"input_tokens":1}})",
          R"({"model":"m","timestamp":null})",
          R"({"model":"m","timestamp":"  "})",
          R"({"event_hash":"h","model":"m"})"})
    {
        INFO(record);
        CHECK(contains(reason(record), "record has no timestamp"));
    }
    // An object with nothing usable keeps its own reason.
    CHECK(contains(reason("{}"), "no usage record fields"));
}

TEST_CASE("bounds: export records are held to the same time range", "[usage][bounds]")
{
    for (const char* record :
         {R"({"event_hash":"h","timestamp":"0001-01-01T00:00:00Z","model":"m"})",
          R"({"event_hash":"h","timestamp_ms":-1,"model":"m"})",
          R"({"event_hash":"h","timestamp_ms":9223372036854775807,"model":"m"})",
          R"({"event_hash":"h","timestamp_ms":"99999999999999999999","model":"m"})"})
    {
        INFO(record);
        CHECK(contains(reason(record), "timestamp is outside"));
    }
    CHECK(contains(
        reason(R"({"event_hash":"h","timestamp_ms":1778025601000,"created_at_ms":-9223372036854775808})"),
        "created_at_ms is outside"
    ));
    CHECK(contains(
        reason(R"({"event_hash":"h","timestamp_ms":1778025601000,"created_at_ms":9214646400000})"),
        "created_at_ms is outside"
    ));
    CHECK(
        must_parse(R"({"event_hash":"h","timestamp_ms":1778025601000,"created_at_ms":0})").created_at_ms == 0
    );
}

TEST_CASE("bounds: token counters beyond one billion are rejected", "[usage][bounds]")
{
    for (std::string value :
         {"18446744073709551616", // 2^64: used to be clamped to INT64_MAX and wrap the rollup sums
          "18446744073709551615",
          "9223372036854775807",
          "\"99999999999999999999\"",
          "1e300",
          "-1e300",
          "1000000001",
          "-1000000001"})
    {
        for (const char* counter :
             {"input_tokens",
              "output_tokens",
              "reasoning_tokens",
              "cached_tokens",
              "cache_tokens",
              "cache_read_tokens",
              "cache_creation_tokens",
              "total_tokens"})
        {
            auto record = fmt::format(
                R"({{"timestamp":"2026-05-06T00:00:01Z","model":"m","tokens":{{"{}":{}}}}})", counter, value
            );
            INFO(record);
            CHECK(contains(reason(record), "token counter is outside"));
        }
    }
    // A breakdown bucket, and a derived total, are counters too.
    CHECK(contains(
        reason(R"({"timestamp":1778025601,"model":"m","token_breakdown":{"schema_version":2,
            "input":{"uncached_tokens":18446744073709551615},"output":{"total_tokens":1}}})"),
        "token counter is outside"
    ));
    CHECK(contains(
        reason(
            R"({"timestamp":1778025601,"model":"m","tokens":{"input_tokens":600000000,"output_tokens":600000000}})"
        ),
        "token counter is outside"
    ));
    // One billion exactly is accepted.
    auto ev = must_parse(R"({"timestamp":1778025601,"model":"m","tokens":{"input_tokens":1000000000,
        "output_tokens":-1000000000,"cached_tokens":1000000000,"total_tokens":1000000000}})");
    CHECK(ev.tokens.input == 1000000000);
    CHECK(ev.tokens.output == -1000000000);
}

TEST_CASE("bounds: latencies beyond one billion milliseconds are rejected", "[usage][bounds]")
{
    for (const char* field :
         {R"("latency_ms":9223372036854775807)",
          R"("latency_ms":1e300)",
          R"("latency_ms":-1000000001)",
          R"("ttft_ms":18446744073709551615)"})
    {
        auto record = fmt::format(R"({{"timestamp":1778025601,"model":"m",{}}})", field);
        INFO(record);
        CHECK(contains(reason(record), "latency is outside"));
    }
    CHECK(
        must_parse(R"({"timestamp":1778025601,"model":"m","latency_ms":1000000000})").latency_ms == 1000000000
    );
}

TEST_CASE("bounds: imports report the bad item at its line", "[usage][bounds]")
{
    std::string body = raw_with_timestamp(R"("2026-05-06T00:00:01Z")") + "\n" +
                       raw_with_timestamp(R"("0001-01-01T00:00:00Z")") + "\n" +
                       R"({"timestamp":1778025601,"tokens":{"input_tokens":18446744073709551616}})" + "\n";
    std::vector<import_item> items;
    auto sum =
        parse_import_payload(body, fixed_clock(), [&](import_item&& i) { items.push_back(std::move(i)); });
    REQUIRE(sum);
    CHECK(sum->failed == 2);
    REQUIRE(items.size() == 3);
    CHECK(items[1].position == 2);
    CHECK(contains(describe(items[1].record.error()), "timestamp is outside"));
    CHECK(items[2].position == 3);
    CHECK(contains(describe(items[2].record.error()), "token counter is outside"));

    auto legacy = parse_import_payload(
        R"({"usage":{"apis":{"GET /x":{"models":{"m":{"details":[{"timestamp":"0001-01-01T00:00:00Z"},
            {"timestamp":"2026-05-06T00:00:01Z"}]}}}}}})",
        fixed_clock(),
        [&](import_item&& i)
        {
            if (i.position == 0)
                CHECK(contains(describe(i.record.error()), "timestamp is outside"));
        }
    );
    REQUIRE(legacy);
    CHECK(legacy->failed == 1);
}
