#pragma once

// Record timestamps (manager-api §6.2): parsing the forms CPA and older tools write, and the
// stored form, UTC RFC3339Nano like Go's time.RFC3339Nano ("Z", trailing fractional zeros
// trimmed, no fraction at all when it is zero).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cpamd::usage
{

// An instant with nanosecond precision. nanos is in [0, 1e9).
struct utc_time
{
    std::int64_t seconds = 0; // Unix seconds
    std::int32_t nanos = 0;

    std::int64_t unix_ms() const noexcept; // floor to milliseconds
    friend bool operator==(const utc_time&, const utc_time&) = default;
};

// Parses, after trimming spaces:
//  * RFC3339 / RFC3339Nano: "2006-01-02T15:04:05[.fraction](Z|±hh:mm)" ('t'/'z' and a space
//    for 'T' accepted; fraction digits beyond 9 are truncated);
//  * "2006-01-02 15:04:05[.fraction]" and "2006-01-02T15:04:05[.fraction]" (no zone: UTC);
//  * a string of decimal digits, read like a JSON number (see from_unix_number).
// Returns nullopt for anything else, including out-of-range fields or years outside 0000-9999.
std::optional<utc_time> parse_timestamp(std::string_view text) noexcept;

// A numeric timestamp: values below 1e10 are Unix seconds, larger ones Unix milliseconds.
// Fractions are kept to the nanosecond. nullopt for NaN, infinities and years past 9999.
std::optional<utc_time> from_unix_number(double v) noexcept;
std::optional<utc_time> from_unix_number(std::int64_t v) noexcept;

// Unix milliseconds; nullopt for years outside 0000-9999, like the parsers above.
std::optional<utc_time> from_unix_ms(std::int64_t ms) noexcept;

// "2026-08-22T06:03:11.482913027Z", "2026-08-22T06:03:11.5Z", "2026-08-22T06:03:11Z".
std::string format_rfc3339nano(utc_time t);

// The current time (system clock).
utc_time now_utc() noexcept;

} // namespace cpamd::usage
