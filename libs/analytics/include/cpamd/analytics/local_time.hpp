#pragma once

// Local time for the analytics routes (analytics-api §0, §3): the browser sends an IANA
// `time_zone`, and timelines, the hourly distribution, the heatmap and active days are all cut at
// that zone's local hours and days. Zones come from the system tzdata (/usr/share/zoneinfo)
// through Howard Hinnant's date/tz (Debian libhowardhinnant-date-dev); docs/analytics.md,
// "Time zones", says what that gives and how rollups serve zones whose offset is not whole hours.
//
// Every instant is UTC epoch milliseconds, every range half-open [from, to).
// Limit: date/tz 3.0.1 reads only the explicit transitions of a tzdata file, which Debian writes up
// to 2037; after the last one a zone keeps its last offset (no DST changes after 2037).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace date
{
class time_zone;
} // namespace date

namespace cpamd::analytics
{

inline constexpr std::int64_t ms_per_minute = 60'000;
inline constexpr std::int64_t ms_per_hour = 60 * ms_per_minute;
inline constexpr std::int64_t ms_per_day = 24 * ms_per_hour;

// Instants the functions below accept: years 0001 to 9999 (so labels always have four-digit years).
// Outside it they throw std::out_of_range; a route checks first and answers 400.
inline constexpr std::int64_t min_local_time_ms = -62'135'596'800'000; // 0001-01-01T00:00Z
inline constexpr std::int64_t max_local_time_ms = 253'402'300'800'000; // 10000-01-01T00:00Z, excluded

// A time zone: a cheap handle to a zone of the process-wide database (copy it freely), or UTC,
// which needs no database at all.
class zone
{
public:
    zone() noexcept = default; // UTC
    static zone utc() noexcept { return {}; }
    explicit zone(const date::time_zone* tz) noexcept : tz_(tz) {}

    std::string_view name() const noexcept;
    const date::time_zone* tz() const noexcept { return tz_; } // nullptr for UTC

private:
    const date::time_zone* tz_ = nullptr;
};

// The zone of an IANA name (case-sensitive, as the database spells it: "Asia/Shanghai",
// "America/New_York", aliases such as "Asia/Calcutta" too). "" and "UTC" are UTC, even without
// tzdata. nullopt for a name the database does not know, and for "localtime" (the server's own
// zone: a request must name its zone). The first call reads the list of zone names (~3 ms);
// each zone's file is read on its first use. Thread-safe.
std::optional<zone> find_zone(std::string_view iana_name);

// One instant seen in a zone.
struct local_fields
{
    std::int64_t local_day = 0; // the local date as days since 1970-01-01 (a day-bucket key)
    int year = 1970;
    int month = 1; // 1-12
    int day = 1;   // 1-31
    int hour = 0;  // 0-23
    int minute = 0;
    int weekday = 4;        // 0 = Sunday ... 6 = Saturday, as Go's time.Weekday (the upstream's heatmap)
    int offset_minutes = 0; // local minus UTC: +345 in Asia/Kathmandu, -240 in New York in summer
                            // (toward zero: only the local mean times of the 1800s have seconds)
};

local_fields to_local(const zone& z, std::int64_t utc_ms);

enum class granularity
{
    hour,
    day,
};

// analytics-api §3: without an explicit granularity, a range up to 24 h is cut into hours, a
// longer one into days.
granularity auto_granularity(std::int64_t from_ms, std::int64_t to_ms) noexcept;

// A local hour or day as a span of UTC instants.
struct bucket
{
    std::int64_t start_ms = 0; // UTC, included
    std::int64_t end_ms = 0;   // UTC, excluded
    std::int64_t local_day = 0;
    int local_hour = -1; // 0-23 for hour buckets, -1 for day buckets

    // Local: "2026-03-08 03:00" (hour) or "2026-03-08" (day). Kept inline: as std::strings (one
    // allocation each) the labels took 80 % of buckets()'s time for a 90-day hourly timeline.
    std::string_view label() const noexcept { return {label_text.data(), label_size}; }
    std::array<char, 16> label_text{};
    std::uint8_t label_size = 0;
};

// The local hours or days covering [from_ms, to_ms), in order, tiling it with no gap or overlap.
// A bucket is every instant whose local date (and hour) is the same, so:
// - the first and the last bucket are clipped to [from_ms, to_ms);
// - a local day lasts 23 or 25 hours across DST (23.5 or 24.5 in Australia/Lord_Howe);
// - a local hour that DST skips has no bucket (New York's 2026-03-08 goes 01:00 -> 03:00);
// - a local hour that DST repeats is ONE bucket of both occurrences (New York's 2026-11-01 01:00
//   lasts two hours), so labels and (local_day, local_hour) keys stay unique, as the upstream's
//   buckets keyed by local date and hour are. Only a repeated stretch that crosses an hour or day
//   boundary breaks that, and only historical transitions have one (St. John's fell back at 00:01
//   until 2011): its date (hour) then shows as two buckets, each instant still in its own.
// Empty when from_ms >= to_ms. Cost: one zone lookup per offset change, then arithmetic.
std::vector<bucket> buckets(const zone& z, std::int64_t from_ms, std::int64_t to_ms, granularity g);

// True when every offset in effect during [from_ms, to_ms) is a whole number of hours, so every
// local hour and day boundary in that range falls on a UTC hour and hourly rollups answer whole
// buckets. False for Asia/Kolkata (+5:30) or Asia/Kathmandu (+5:45): see split_for_rollups.
bool hour_aligned(const zone& z, std::int64_t from_ms, std::int64_t to_ms);

// How a span [begin, end) is served by rollups of `grain` (any unit, the same as begin and end):
// the whole grains [whole_begin, whole_end) from the rollups, the partial edges
// [begin, whole_begin) and [whole_end, end) from raw events. A span holding no whole grain is
// all head: whole_begin == whole_end == end. An empty or reversed span gives four times `begin`.
// In a 45-minute zone each local day [18:15Z, 18:15Z) holds 23 whole UTC hours and two partial
// ones (45 and 15 minutes), and a local hour holds no whole UTC hour at all.
struct rollup_split
{
    std::int64_t begin = 0;
    std::int64_t whole_begin = 0;
    std::int64_t whole_end = 0;
    std::int64_t end = 0;
};

rollup_split
split_for_rollups(std::int64_t begin, std::int64_t end, std::int64_t grain = ms_per_hour) noexcept;

} // namespace cpamd::analytics
