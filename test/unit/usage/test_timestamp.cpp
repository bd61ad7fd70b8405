#include "fixtures.hpp"

#include <catch2/catch.hpp>
#include <cpamd/usage/timestamp.hpp>

using namespace cpamd::usage;

namespace
{

std::string norm(std::string_view s)
{
    auto t = parse_timestamp(s);
    return t ? format_rfc3339nano(*t) : "<none>";
}

} // namespace

TEST_CASE("timestamp: RFC3339Nano with a positive offset becomes UTC", "[usage][timestamp]")
{
    auto t = parse_timestamp("2026-08-22T14:03:11.482913027+08:00");
    REQUIRE(t);
    CHECK(t->seconds == 1787378591); // date -u -d '2026-08-22T14:03:11+08:00' +%s
    CHECK(t->nanos == 482913027);
    CHECK(t->unix_ms() == 1787378591482);
    CHECK(format_rfc3339nano(*t) == "2026-08-22T06:03:11.482913027Z");
}

TEST_CASE("timestamp: negative offsets and day/month/year rollover", "[usage][timestamp]")
{
    CHECK(norm("2024-02-29T23:59:59-05:30") == "2024-03-01T05:29:59Z");
    CHECK(norm("2025-12-31T23:30:00-01:00") == "2026-01-01T00:30:00Z");
    CHECK(norm("2026-01-01T00:30:00+01:00") == "2025-12-31T23:30:00Z");
}

TEST_CASE("timestamp: trailing fractional zeros are trimmed like Go RFC3339Nano", "[usage][timestamp]")
{
    CHECK(norm("2026-08-22T06:10:02.117000Z") == "2026-08-22T06:10:02.117Z");
    CHECK(norm("2026-08-22T06:10:02.000000000Z") == "2026-08-22T06:10:02Z");
    CHECK(norm("2026-08-22T06:10:02.5Z") == "2026-08-22T06:10:02.5Z");
    CHECK(norm("2026-08-22T06:10:02Z") == "2026-08-22T06:10:02Z");
    // more than 9 digits: truncated to nanoseconds
    CHECK(norm("2026-08-22T06:10:02.1234567899Z") == "2026-08-22T06:10:02.123456789Z");
}

TEST_CASE("timestamp: zone-less layouts are UTC", "[usage][timestamp]")
{
    CHECK(norm("2026-05-06 00:00:01") == "2026-05-06T00:00:01Z");
    CHECK(norm("2026-05-06T00:00:01") == "2026-05-06T00:00:01Z");
    CHECK(norm("  2026-05-06T00:00:01.250 ") == "2026-05-06T00:00:01.25Z");
    CHECK(norm("2026-05-06t00:00:01z") == "2026-05-06T00:00:01Z");
}

TEST_CASE("timestamp: numbers below 1e10 are seconds, above are milliseconds", "[usage][timestamp]")
{
    auto s = from_unix_number(std::int64_t{1778000000});
    REQUIRE(s);
    CHECK(format_rfc3339nano(*s) == "2026-05-05T16:53:20Z"); // date -u -d @1778000000
    auto ms = from_unix_number(std::int64_t{1778000000123});
    REQUIRE(ms);
    CHECK(format_rfc3339nano(*ms) == "2026-05-05T16:53:20.123Z");
    auto d = from_unix_number(1778000000.5);
    REQUIRE(d);
    CHECK(format_rfc3339nano(*d) == "2026-05-05T16:53:20.5Z");
    auto dms = from_unix_number(1778000000123.0);
    REQUIRE(dms);
    CHECK(dms->unix_ms() == 1778000000123);
    CHECK(norm("1778000000") == "2026-05-05T16:53:20Z");
    CHECK(format_rfc3339nano(*from_unix_number(std::int64_t{0})) == "1970-01-01T00:00:00Z");
    CHECK(format_rfc3339nano(*from_unix_number(std::int64_t{-1})) == "1969-12-31T23:59:59Z");
    CHECK(from_unix_ms(-1)->unix_ms() == -1);
    CHECK(from_unix_ms(253402300799999)); // 9999-12-31T23:59:59.999Z
    CHECK_FALSE(from_unix_ms(253402300800000));
    CHECK_FALSE(from_unix_ms(INT64_MIN));
}

TEST_CASE("timestamp: invalid forms are rejected", "[usage][timestamp]")
{
    for (std::string_view bad :
         {"",
          "garbage",
          "2026-13-01T00:00:00Z",
          "2026-02-29T00:00:00Z",
          "2026-02-10T24:00:00Z",
          "2026-02-10T23:60:00Z",
          "2026-02-10T23:00:60Z",
          "2026-02-10T23:00:00+0800",
          "2026-02-10T23:00:00.Z",
          "2026-02-10T23:00:00Zjunk",
          "2026-02-10",
          "99999999999999999999"})
    {
        INFO(bad);
        CHECK_FALSE(parse_timestamp(bad));
    }
    CHECK_FALSE(from_unix_number(std::numeric_limits<double>::quiet_NaN()));
    CHECK_FALSE(from_unix_number(std::numeric_limits<double>::infinity()));
    CHECK_FALSE(from_unix_number(1e30));
}

TEST_CASE("timestamp: record sources and fallbacks", "[usage][timestamp]")
{
    using cpamd::usage::test::must_parse;
    CHECK(must_parse(R"({"time":1778000000,"model":"m"})").timestamp == "2026-05-05T16:53:20Z");
    CHECK(
        must_parse(R"({"created_at":"2026-05-06 00:00:01","model":"m"})").timestamp == "2026-05-06T00:00:01Z"
    );
    CHECK(must_parse(R"({"createdAt":1778000000123,"model":"m"})").timestamp_ms == 1778000000123);
    CHECK(
        must_parse(R"({"requestTime":"2026-05-06T08:00:01+08:00","model":"m"})").timestamp ==
        "2026-05-06T00:00:01Z"
    );
    // unparseable first source, usable second one
    CHECK(
        must_parse(R"({"timestamp":"soon","time":1778000000,"model":"m"})").timestamp ==
        "2026-05-05T16:53:20Z"
    );
    // none: refused, never the clock (limits.hpp; upstream would use the clock)
    CHECK(
        parse_record(R"({"model":"m"})", cpamd::usage::test::fixed_clock()).error() == errc::missing_timestamp
    );
}
