// Local hours and days in IANA zones (analytics::local_time): fixed cases for whole-hour,
// half-hour, 45-minute and DST zones, then randomised checks of the buckets against two oracles:
// offsets written out from the zones' rules by hand, and date/tz's own zoned_time.

#include <catch2/catch.hpp>
#include <cpamd/analytics/local_time.hpp>
#include <date/tz.h>
#include <fmt/format.h>
#include <random>
#include <stdexcept>

namespace
{

using namespace cpamd::analytics;

constexpr std::int64_t hour = ms_per_hour;
constexpr std::int64_t minute = ms_per_minute;

std::int64_t ms_of(date::sys_days day)
{
    return std::int64_t{day.time_since_epoch().count()} * ms_per_day;
}

// A UTC instant from its civil fields.
std::int64_t utc(int y, unsigned m, unsigned d, int h = 0, int mi = 0)
{
    return ms_of(date::year{y} / date::month{m} / date::day{d}) + h * hour + mi * minute;
}

zone must_find(std::string_view name)
{
    const auto z = find_zone(name);
    REQUIRE(z.has_value());
    return *z;
}

std::vector<std::string> labels_of(const std::vector<bucket>& bs)
{
    std::vector<std::string> out;
    for (const auto& b : bs)
    {
        out.emplace_back(b.label());
    }
    return out;
}

// --- Oracle 1: offsets from the rules, by hand (valid 2008-2037) ---------------------------------

std::int64_t nth_sunday(int y, unsigned m, unsigned n)
{
    return ms_of(date::sys_days{date::year{y} / date::month{m} / date::Sunday[n]});
}

std::int64_t last_sunday(int y, unsigned m)
{
    return ms_of(date::sys_days{date::year{y} / date::month{m} / date::Sunday[date::last]});
}

int year_of(std::int64_t ms)
{
    const date::sys_days day{date::days{static_cast<int>(ms / ms_per_day)}};
    return static_cast<int>(date::year_month_day{day}.year());
}

std::int64_t rule_offset(std::string_view name, std::int64_t t)
{
    const int y = year_of(t);
    if (name ==
        "America/New_York") // US since 2007: 2nd Sunday of March 02:00 EST to 1st of November 02:00 EDT
    {
        const bool dst = t >= nth_sunday(y, 3, 2) + 7 * hour && t < nth_sunday(y, 11, 1) + 6 * hour;
        return (dst ? -4 : -5) * hour;
    }
    if (name == "Europe/Berlin") // EU: last Sunday of March to last Sunday of October, 01:00 UTC
    {
        const bool dst = t >= last_sunday(y, 3) + hour && t < last_sunday(y, 10) + hour;
        return (dst ? 2 : 1) * hour;
    }
    if (name == "Australia/Lord_Howe") // +10:30, +11 from 1st Sunday of October to 1st of April, 02:00 local
    {
        const bool std_time =
            t >= nth_sunday(y, 4, 1) - 9 * hour && t < nth_sunday(y, 10, 1) - 8 * hour - 30 * minute;
        return std_time ? 10 * hour + 30 * minute : 11 * hour;
    }
    if (name == "Asia/Shanghai")
    {
        return 8 * hour;
    }
    if (name == "Asia/Kolkata")
    {
        return 5 * hour + 30 * minute;
    }
    if (name == "Asia/Kathmandu")
    {
        return 5 * hour + 45 * minute;
    }
    REQUIRE(name == "UTC");
    return 0;
}

struct civil_hour
{
    std::int64_t local_day = 0;
    int hour = 0;
    int weekday = 0;
    std::string day_label;
    std::string hour_label;
    bool operator==(const civil_hour&) const = default;
};

civil_hour civil_from_local_ms(std::int64_t local_ms)
{
    const std::int64_t day = (local_ms >= 0 ? local_ms : local_ms - ms_per_day + 1) / ms_per_day;
    const date::sys_days d{date::days{static_cast<int>(day)}};
    const date::year_month_day ymd{d};
    const int h = static_cast<int>((local_ms - day * ms_per_day) / hour);
    const auto day_label = fmt::format(
        "{:04}-{:02}-{:02}",
        static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()),
        static_cast<unsigned>(ymd.day())
    );
    return {
        day,
        h,
        static_cast<int>(date::weekday{d}.c_encoding()),
        day_label,
        fmt::format("{} {:02}:00", day_label, h)};
}

civil_hour by_rule(std::string_view name, std::int64_t t)
{
    return civil_from_local_ms(t + rule_offset(name, t));
}

// --- Oracle 2: date/tz's zoned_time, one instant at a time -------------------------------------

civil_hour by_zoned_time(const zone& z, std::int64_t t)
{
    const date::sys_time<std::chrono::milliseconds> at{std::chrono::milliseconds{t}};
    if (z.tz() == nullptr)
    {
        return civil_from_local_ms(t);
    }
    const date::zoned_time<std::chrono::milliseconds> zt{z.tz(), at};
    return civil_from_local_ms(zt.get_local_time().time_since_epoch().count());
}

civil_hour of_bucket(const bucket& b)
{
    const auto start = civil_from_local_ms(b.local_day * ms_per_day + std::max(b.local_hour, 0) * hour);
    return {
        b.local_day, b.local_hour, start.weekday, start.day_label, b.local_hour < 0 ? "" : start.hour_label};
}

// The buckets tile [from, to), neighbours differ, keys (and so labels) strictly increase unless
// `repeats_ok`, and every bucket's first and last instant convert (by the oracle) to its key.
template <typename Oracle>
void check_buckets(
    const std::vector<bucket>& bs,
    std::int64_t from,
    std::int64_t to,
    granularity g,
    Oracle oracle,
    bool repeats_ok = false
)
{
    REQUIRE_FALSE(bs.empty());
    CHECK(bs.front().start_ms == from);
    CHECK(bs.back().end_ms == to);
    int bad = 0;
    for (std::size_t i = 0; i < bs.size() && bad < 3; ++i)
    {
        const bucket& b = bs[i];
        const bool is_hour = g == granularity::hour;
        auto key_of = [&](std::int64_t t)
        {
            const civil_hour c = oracle(t);
            return std::pair{c.local_day, is_hour ? c.hour : -1};
        };
        const auto key = std::pair{b.local_day, b.local_hour};
        const auto first = oracle(b.start_ms);
        const bool ok = b.start_ms < b.end_ms && (i == 0 || bs[i - 1].end_ms == b.start_ms) &&
                        (i == 0 || std::pair{bs[i - 1].local_day, bs[i - 1].local_hour} != key) &&
                        (i == 0 || repeats_ok || bs[i - 1].label() < b.label()) &&
                        key_of(b.start_ms) == key && key_of(b.end_ms - 1) == key &&
                        b.label() == (is_hour ? first.hour_label : first.day_label);
        if (!ok)
        {
            ++bad;
            UNSCOPED_INFO("bucket " << i << " [" << b.start_ms << ", " << b.end_ms << ") " << b.label());
        }
    }
    CHECK(bad == 0);
}

const bucket& containing(const std::vector<bucket>& bs, std::int64_t t)
{
    const auto it = std::upper_bound(
        bs.begin(), bs.end(), t, [](std::int64_t v, const bucket& b) { return v < b.end_ms; }
    );
    REQUIRE(it != bs.end());
    REQUIRE(it->start_ms <= t);
    return *it;
}

} // namespace

TEST_CASE("find_zone knows IANA names, UTC without the database, and nothing else", "[local_time]")
{
    CHECK(find_zone("")->tz() == nullptr);
    CHECK(find_zone("UTC")->tz() == nullptr);
    CHECK(find_zone("UTC")->name() == "UTC");
    CHECK(zone{}.name() == "UTC");
    CHECK(must_find("Asia/Shanghai").name() == "Asia/Shanghai");
    CHECK(must_find("America/New_York").tz() != nullptr);
    CHECK(find_zone("Asia/Calcutta").has_value()); // an old alias browsers may still send
    CHECK(find_zone("Etc/UTC").has_value());
    for (const char* bad :
         {"Mars/Olympus",
          "asia/shanghai",
          "Asia/Shanghai ",
          "localtime",
          "posixrules",
          "../UTC",
          "right/UTC",
          "/etc/passwd",
          "Asia"})
    {
        INFO(bad);
        CHECK_FALSE(find_zone(bad).has_value());
    }
    CHECK_FALSE(find_zone(std::string_view{"UTC\0x", 5}).has_value());
}

TEST_CASE("auto granularity is hour up to 24 h, day beyond", "[local_time]")
{
    CHECK(auto_granularity(0, 1) == granularity::hour);
    CHECK(auto_granularity(5, 5 + ms_per_day) == granularity::hour);
    CHECK(auto_granularity(5, 5 + ms_per_day + 1) == granularity::day);
    CHECK(auto_granularity(0, 90 * ms_per_day) == granularity::day);
}

TEST_CASE("UTC: hours and days, the edges clipped to the range", "[local_time]")
{
    const zone z;
    const auto hours = buckets(z, utc(2026, 3, 8, 0, 30), utc(2026, 3, 8, 3, 10), granularity::hour);
    REQUIRE(hours.size() == 4);
    CHECK(
        labels_of(hours) ==
        std::vector<std::string>{
            "2026-03-08 00:00", "2026-03-08 01:00", "2026-03-08 02:00", "2026-03-08 03:00"}
    );
    CHECK(hours[0].start_ms == utc(2026, 3, 8, 0, 30));
    CHECK(hours[0].end_ms == utc(2026, 3, 8, 1));
    CHECK(hours[3].start_ms == utc(2026, 3, 8, 3));
    CHECK(hours[3].end_ms == utc(2026, 3, 8, 3, 10));
    CHECK(hours[2].local_hour == 2);

    const auto days = buckets(z, utc(2026, 2, 27, 12), utc(2026, 3, 2), granularity::day);
    CHECK(labels_of(days) == std::vector<std::string>{"2026-02-27", "2026-02-28", "2026-03-01"});
    CHECK(days[1].local_hour == -1);
    CHECK(days[2].end_ms == utc(2026, 3, 2));
    CHECK(buckets(z, 10, 10, granularity::hour).empty());
    CHECK(buckets(z, 10, 5, granularity::day).empty());
    CHECK(hour_aligned(z, utc(2000, 1, 1), utc(2030, 1, 1)));

    const local_fields f = to_local(z, utc(2026, 3, 8, 13, 7) + 999);
    CHECK(f.year == 2026);
    CHECK(f.month == 3);
    CHECK(f.day == 8);
    CHECK(f.hour == 13);
    CHECK(f.minute == 7);
    CHECK(f.weekday == 0); // a Sunday
    CHECK(f.offset_minutes == 0);
    CHECK(to_local(z, 0).weekday == 4); // 1970-01-01, a Thursday
    CHECK(to_local(z, -1).weekday == 3);
    CHECK(to_local(z, -1).local_day == -1);
    CHECK(to_local(z, -1).hour == 23);
}

TEST_CASE("Asia/Shanghai: local days start at 16:00 UTC", "[local_time]")
{
    const zone z = must_find("Asia/Shanghai");
    const auto days = buckets(z, utc(2026, 6, 30, 16), utc(2026, 7, 3, 16), granularity::day);
    REQUIRE(days.size() == 3);
    CHECK(labels_of(days) == std::vector<std::string>{"2026-07-01", "2026-07-02", "2026-07-03"});
    CHECK(days[1].start_ms == utc(2026, 7, 1, 16));
    CHECK(days[1].end_ms == utc(2026, 7, 2, 16));

    const local_fields sunday = to_local(z, utc(2026, 3, 7, 16));
    CHECK(sunday.day == 8);
    CHECK(sunday.hour == 0);
    CHECK(sunday.weekday == 0);
    CHECK(sunday.offset_minutes == 480);
    const local_fields saturday = to_local(z, utc(2026, 3, 7, 16) - 1);
    CHECK(saturday.day == 7);
    CHECK(saturday.hour == 23);
    CHECK(saturday.minute == 59);
    CHECK(saturday.weekday == 6);
    CHECK(hour_aligned(z, utc(2026, 1, 1), utc(2027, 1, 1)));
}

TEST_CASE("Asia/Kolkata (+5:30): hours start at half past the UTC hour", "[local_time]")
{
    const zone z = must_find("Asia/Kolkata");
    const auto hours = buckets(z, utc(2026, 1, 15, 0), utc(2026, 1, 15, 3), granularity::hour);
    CHECK(
        labels_of(hours) ==
        std::vector<std::string>{
            "2026-01-15 05:00", "2026-01-15 06:00", "2026-01-15 07:00", "2026-01-15 08:00"}
    );
    CHECK(hours[0].end_ms == utc(2026, 1, 15, 0, 30));
    CHECK(hours[1].start_ms == utc(2026, 1, 15, 0, 30));
    CHECK(hours[1].end_ms == utc(2026, 1, 15, 1, 30));
    const auto days = buckets(z, utc(2026, 1, 14, 18, 30), utc(2026, 1, 15, 18, 30), granularity::day);
    REQUIRE(days.size() == 1);
    CHECK(days[0].label() == "2026-01-15");
    CHECK(to_local(z, utc(2026, 1, 15)).offset_minutes == 330);
    CHECK_FALSE(hour_aligned(z, utc(2026, 1, 1), utc(2026, 1, 2)));
}

TEST_CASE("Asia/Kathmandu (+5:45): a local day is 23 whole UTC hours and two partial ones", "[local_time]")
{
    const zone z = must_find("Asia/Kathmandu");
    const auto days = buckets(z, utc(2026, 1, 14, 18, 15), utc(2026, 1, 16, 18, 15), granularity::day);
    REQUIRE(days.size() == 2);
    CHECK(days[0].label() == "2026-01-15");
    CHECK(days[0].end_ms == utc(2026, 1, 15, 18, 15));
    CHECK(to_local(z, utc(2026, 1, 15)).offset_minutes == 345);
    CHECK(to_local(z, utc(2026, 1, 15)).minute == 45);

    const rollup_split day = split_for_rollups(days[0].start_ms, days[0].end_ms);
    CHECK(day.whole_begin - day.begin == 45 * minute);
    CHECK(day.whole_end - day.whole_begin == 23 * hour);
    CHECK(day.end - day.whole_end == 15 * minute);

    // A local hour holds no whole UTC hour: all of it is an edge, unless rollups have 15-minute grain.
    const auto hours = buckets(z, utc(2026, 1, 15, 0, 15), utc(2026, 1, 15, 1, 15), granularity::hour);
    REQUIRE(hours.size() == 1);
    CHECK(hours[0].label() == "2026-01-15 06:00");
    const rollup_split h = split_for_rollups(hours[0].start_ms, hours[0].end_ms);
    CHECK(h.whole_begin == h.end);
    CHECK(h.whole_end == h.end);
    const rollup_split q = split_for_rollups(hours[0].start_ms, hours[0].end_ms, 15 * minute);
    CHECK(q.whole_begin == q.begin);
    CHECK(q.whole_end == q.end);
    CHECK_FALSE(hour_aligned(z, utc(2026, 1, 1), utc(2026, 1, 2)));
}

TEST_CASE("split_for_rollups: whole grains inside, edges outside, any unit", "[local_time]")
{
    const rollup_split aligned = split_for_rollups(utc(2026, 1, 1, 3), utc(2026, 1, 1, 7));
    CHECK(aligned.whole_begin == aligned.begin);
    CHECK(aligned.whole_end == aligned.end);
    const rollup_split ragged = split_for_rollups(utc(2026, 1, 1, 3, 20), utc(2026, 1, 1, 7, 5));
    CHECK(ragged.whole_begin == utc(2026, 1, 1, 4));
    CHECK(ragged.whole_end == utc(2026, 1, 1, 7));
    const rollup_split negative = split_for_rollups(-90 * minute, -10 * minute); // no whole hour: all head
    CHECK(negative.whole_begin == -10 * minute);
    CHECK(negative.whole_end == -10 * minute);
    CHECK(split_for_rollups(-150 * minute, 30 * minute).whole_begin == -2 * hour);
    CHECK(split_for_rollups(-150 * minute, 30 * minute).whole_end == 0);
    const std::int64_t ns_hour = 3'600'000'000'000;
    const rollup_split ns = split_for_rollups(5 * ns_hour + 1, 9 * ns_hour - 1, ns_hour);
    CHECK(ns.whole_begin == 6 * ns_hour);
    CHECK(ns.whole_end == 8 * ns_hour);
    const rollup_split empty = split_for_rollups(100, 100);
    CHECK(empty.whole_begin == 100);
    CHECK(empty.end == 100);
    CHECK(split_for_rollups(100, 50).end == 100);
}

TEST_CASE("America/New_York: a 23-hour day in spring, a 25-hour day in autumn", "[local_time]")
{
    const zone z = must_find("America/New_York");
    SECTION("2026-03-08: 02:00 does not exist")
    {
        const auto days = buckets(z, utc(2026, 3, 7, 5), utc(2026, 3, 10, 4), granularity::day);
        REQUIRE(days.size() == 3);
        CHECK(days[1].label() == "2026-03-08");
        CHECK(days[1].start_ms == utc(2026, 3, 8, 5));
        CHECK(days[1].end_ms == utc(2026, 3, 9, 4));
        CHECK(days[1].end_ms - days[1].start_ms == 23 * hour);
        CHECK(days[0].end_ms - days[0].start_ms == 24 * hour);

        const auto hours = buckets(z, days[1].start_ms, days[1].end_ms, granularity::hour);
        REQUIRE(hours.size() == 23);
        CHECK(hours[1].label() == "2026-03-08 01:00");
        CHECK(hours[1].end_ms == utc(2026, 3, 8, 7));
        CHECK(hours[2].label() == "2026-03-08 03:00");
        CHECK(hours[2].start_ms == utc(2026, 3, 8, 7));
        CHECK(hours[2].local_hour == 3);
        for (const auto& b : hours)
        {
            CHECK(b.end_ms - b.start_ms == hour);
        }
        CHECK(to_local(z, utc(2026, 3, 8, 7) - 1).offset_minutes == -300);
        CHECK(to_local(z, utc(2026, 3, 8, 7)).offset_minutes == -240);
        CHECK(to_local(z, utc(2026, 3, 8, 7)).hour == 3);
        CHECK(hour_aligned(z, utc(2026, 3, 1), utc(2026, 12, 1)));
    }
    SECTION("2026-11-01: 01:00 happens twice, one bucket of two hours")
    {
        const auto days = buckets(z, utc(2026, 11, 1, 4), utc(2026, 11, 2, 5), granularity::day);
        REQUIRE(days.size() == 1);
        CHECK(days[0].label() == "2026-11-01");
        CHECK(days[0].end_ms - days[0].start_ms == 25 * hour);

        const auto hours = buckets(z, days[0].start_ms, days[0].end_ms, granularity::hour);
        REQUIRE(hours.size() == 24);
        CHECK(hours[1].label() == "2026-11-01 01:00");
        CHECK(hours[1].start_ms == utc(2026, 11, 1, 5));
        CHECK(hours[1].end_ms == utc(2026, 11, 1, 7));
        CHECK(hours[2].label() == "2026-11-01 02:00");
        // The same bucket whichever occurrence, and clipping inside it keeps one bucket.
        CHECK(to_local(z, utc(2026, 11, 1, 5, 30)).hour == 1);
        CHECK(to_local(z, utc(2026, 11, 1, 6, 30)).hour == 1);
        const auto inside = buckets(z, utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30), granularity::hour);
        REQUIRE(inside.size() == 1);
        CHECK(inside[0].label() == "2026-11-01 01:00");
    }
}

TEST_CASE("Europe/Berlin: 2026-03-29 has 23 hours, 2026-10-25 has 25", "[local_time]")
{
    const zone z = must_find("Europe/Berlin");
    const auto spring = buckets(z, utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), granularity::hour);
    REQUIRE(spring.size() == 23);
    CHECK(spring[1].label() == "2026-03-29 01:00");
    CHECK(spring[2].label() == "2026-03-29 03:00");
    CHECK(spring[2].start_ms == utc(2026, 3, 29, 1));
    const auto spring_day = buckets(z, utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), granularity::day);
    REQUIRE(spring_day.size() == 1);
    CHECK(spring_day[0].label() == "2026-03-29");

    const auto autumn = buckets(z, utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), granularity::hour);
    REQUIRE(autumn.size() == 24);
    CHECK(autumn[2].label() == "2026-10-25 02:00");
    CHECK(autumn[2].start_ms == utc(2026, 10, 25, 0));
    CHECK(autumn[2].end_ms == utc(2026, 10, 25, 2));
    const auto autumn_days = buckets(z, utc(2026, 10, 24, 22), utc(2026, 10, 26, 23), granularity::day);
    REQUIRE(autumn_days.size() == 2);
    CHECK(autumn_days[0].end_ms - autumn_days[0].start_ms == 25 * hour);
    CHECK(autumn_days[1].label() == "2026-10-26");
    CHECK(autumn_days[1].end_ms - autumn_days[1].start_ms == 24 * hour);
}

TEST_CASE("Australia/Lord_Howe: half-hour DST makes 24.5 and 23.5 hour days", "[local_time]")
{
    const zone z = must_find("Australia/Lord_Howe");
    // 2026-04-05 02:00 (+11) falls back to 01:30 (+10:30): local 01:00 lasts 90 minutes.
    const auto april = buckets(z, utc(2026, 4, 4, 13), utc(2026, 4, 5, 13, 30), granularity::day);
    REQUIRE(april.size() == 1);
    CHECK(april[0].label() == "2026-04-05");
    CHECK(april[0].end_ms - april[0].start_ms == 24 * hour + 30 * minute);
    const auto april_hours = buckets(z, april[0].start_ms, april[0].end_ms, granularity::hour);
    REQUIRE(april_hours.size() == 24);
    CHECK(april_hours[1].start_ms == utc(2026, 4, 4, 14));
    CHECK(april_hours[1].end_ms == utc(2026, 4, 4, 15, 30));
    // 2026-10-04 02:00 (+10:30) springs to 02:30 (+11): local 02:00 lasts 30 minutes.
    const auto october = buckets(z, utc(2026, 10, 3, 13, 30), utc(2026, 10, 4, 13), granularity::day);
    REQUIRE(october.size() == 1);
    CHECK(october[0].end_ms - october[0].start_ms == 23 * hour + 30 * minute);
    const auto october_hours = buckets(z, october[0].start_ms, october[0].end_ms, granularity::hour);
    REQUIRE(october_hours.size() == 24);
    CHECK(october_hours[2].label() == "2026-10-04 02:00");
    CHECK(october_hours[2].end_ms - october_hours[2].start_ms == 30 * minute);
    CHECK(to_local(z, october_hours[2].start_ms).minute == 30);
    CHECK_FALSE(hour_aligned(z, utc(2026, 1, 1), utc(2027, 1, 1)));
}

TEST_CASE("instants outside years 0001-9999 are refused", "[local_time]")
{
    const zone z = must_find("Europe/Berlin");
    CHECK_THROWS_AS(to_local(z, max_local_time_ms), std::out_of_range);
    CHECK_THROWS_AS(to_local(z, min_local_time_ms - 1), std::out_of_range);
    CHECK_THROWS_AS(buckets(z, 0, max_local_time_ms + 1, granularity::day), std::out_of_range);
    CHECK(to_local(zone{}, min_local_time_ms).year == 1);
    CHECK(to_local(zone{}, max_local_time_ms - 1).year == 9999);
    const auto last = buckets(zone{}, max_local_time_ms - ms_per_day, max_local_time_ms, granularity::day);
    REQUIRE(last.size() == 1);
    CHECK(last[0].label() == "9999-12-31");
    const auto first = buckets(z, min_local_time_ms, min_local_time_ms + hour, granularity::hour);
    CHECK(first.front().label().starts_with("0001-01-01 00:"));
}

TEST_CASE("random instants: the bucket holding them has the rule's local date and hour", "[local_time]")
{
    std::mt19937_64 rng(20260308);
    const std::vector<std::string> names{
        "UTC",
        "Asia/Shanghai",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "America/New_York",
        "Europe/Berlin",
        "Australia/Lord_Howe"};
    const std::int64_t lo = utc(2008, 1, 10);
    const std::int64_t hi = utc(2037, 9, 1); // the rules above hold, and tzdata has explicit transitions
    for (int i = 0; i < 2000; ++i)
    {
        const std::string& name = names[rng() % names.size()];
        const zone z = must_find(name);
        const std::int64_t t = lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo));
        const granularity g = i % 2 == 0 ? granularity::hour : granularity::day;
        const std::int64_t reach = (g == granularity::hour ? 4 : 60) * ms_per_day;
        const std::int64_t from = t - static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(reach));
        const std::int64_t to = t + 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(reach));
        INFO(name << " t=" << t << " from=" << from << " to=" << to);
        const auto bs = buckets(z, from, to, g);
        const auto oracle = [&](std::int64_t at) { return by_rule(name, at); };
        check_buckets(bs, from, to, g, oracle);

        const bucket& b = containing(bs, t);
        const civil_hour want = by_rule(name, t);
        CHECK(b.local_day == want.local_day);
        CHECK(b.label() == (g == granularity::hour ? want.hour_label : want.day_label));
        const local_fields f = to_local(z, t);
        CHECK(f.local_day == want.local_day);
        CHECK(f.hour == want.hour);
        CHECK(f.weekday == want.weekday);
        CHECK(f.offset_minutes * minute == rule_offset(name, t));
        if (g == granularity::hour)
        {
            CHECK(b.local_hour == want.hour);
        }
    }
}

TEST_CASE("random instants in many zones agree with date/tz's zoned_time", "[local_time]")
{
    std::mt19937_64 rng(1045);
    // Whole, half and 45-minute offsets; DST at midnight (Santiago, Havana), south and north,
    // +13/+14 (Apia, Kiritimati), +12:45/+13:45 (Chatham), DST abolished (Tehran, Sao_Paulo).
    const std::vector<std::string> names{
        "UTC",
        "Asia/Tokyo",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Asia/Tehran",
        "America/New_York",
        "America/Santiago",
        "America/Havana",
        "America/Sao_Paulo",
        "America/St_Johns",
        "Europe/Berlin",
        "Europe/London",
        "Australia/Adelaide",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Pacific/Apia",
        "Pacific/Kiritimati",
        "Pacific/Honolulu",
        "Africa/Casablanca",
        "Asia/Calcutta"};
    const std::int64_t lo = utc(1990, 1, 1);
    const std::int64_t hi = utc(2037, 12, 1);
    for (int i = 0; i < 2000; ++i)
    {
        const std::string& name = names[rng() % names.size()];
        const zone z = must_find(name);
        const std::int64_t t = lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo));
        const granularity g = i % 2 == 0 ? granularity::hour : granularity::day;
        const std::int64_t reach = (g == granularity::hour ? 3 : 45) * ms_per_day;
        const std::int64_t from = t - static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(reach));
        const std::int64_t to = t + 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(reach));
        INFO(name << " t=" << t << " from=" << from << " to=" << to);
        const auto oracle = [&](std::int64_t at) { return by_zoned_time(z, at); };
        const auto bs = buckets(z, from, to, g);
        check_buckets(bs, from, to, g, oracle, name == "America/St_Johns"); // see the test below
        const civil_hour want = oracle(t);
        const bucket& b = containing(bs, t);
        CHECK(of_bucket(b).local_day == want.local_day);
        const local_fields f = to_local(z, t);
        CHECK(f.local_day == want.local_day);
        CHECK(f.hour == want.hour);
        CHECK(f.weekday == want.weekday);
    }
}

TEST_CASE("a repeated stretch across midnight repeats the date: St. John's, 1999-10-31", "[local_time]")
{
    // Until 2011 Newfoundland fell back at 00:01 NDT to 23:01 NST: the last 59 minutes of
    // 1999-10-30 came again after the first minute of 1999-10-31. Each instant keeps its local date,
    // so the buckets still tile the range, but that date shows up twice.
    const zone z = must_find("America/St_Johns");
    const auto days = buckets(z, utc(1999, 10, 31, 2), utc(1999, 10, 31, 4), granularity::day);
    REQUIRE(days.size() == 4);
    CHECK(
        labels_of(days) == std::vector<std::string>{"1999-10-30", "1999-10-31", "1999-10-30", "1999-10-31"}
    );
    CHECK(days[1].start_ms == utc(1999, 10, 31, 2, 30));
    CHECK(days[1].end_ms == utc(1999, 10, 31, 2, 31));
    CHECK(days[2].end_ms == utc(1999, 10, 31, 3, 30));
    // Modern transitions are at 02:00 local, and the labels are unique again.
    const auto modern = buckets(z, utc(2026, 10, 31), utc(2026, 11, 3), granularity::day);
    CHECK(
        labels_of(modern) == std::vector<std::string>{"2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"}
    );
}
