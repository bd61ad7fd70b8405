#pragma once

// What an event may hold, so that the store can keep it exactly (docs/usage-model.md, "Accepted
// ranges"). The parsers reject a record outside these bounds with a reason (error.hpp) instead of
// storing something else: a wrapped year, the current time, a clamped counter.

#include <cpamd/usage/error.hpp>
#include <cpamd/usage/event.hpp>
#include <cpamd/usage/timestamp.hpp>
#include <cstdint>
#include <optional>

namespace cpamd::usage
{

// Event times: [1970-01-01T00:00:00Z, 2262-01-01T00:00:00Z). The store keeps nanoseconds since
// 1970 in an int64 (which ends on 2262-04-11) and buckets them by hour with integer division,
// which needs them non-negative; whole years keep the rule easy to state.
inline constexpr std::int64_t min_event_seconds = 0;
inline constexpr std::int64_t end_event_seconds = 9214646400; // 2262-01-01T00:00:00Z, excluded
inline constexpr std::int64_t min_event_ms = min_event_seconds * 1000;
inline constexpr std::int64_t end_event_ms = end_event_seconds * 1000;

// Every summed value of an event (the 8 raw token counters, the 5 cost buckets, latency_ms and
// ttft_ms) lies in [-max_summed_value, max_summed_value]. A rollup row sums one hour of one key,
// so it stays exact for up to INT64_MAX / 1e9 ≈ 9.2e9 events in that hour (2.5 million a second
// for the whole hour, well past what one writer commits). One billion tokens is about a hundred
// times the largest context window of any model, and a billion milliseconds is 11.6 days.
inline constexpr std::int64_t max_summed_value = 1000000000;

bool in_event_range(utc_time t) noexcept;
bool in_event_range_ms(std::int64_t ms) noexcept;

// The first bound `ev` breaks: errc::token_count_out_of_range, errc::latency_out_of_range or
// errc::created_at_out_of_range (timestamps are checked where they are read).
std::optional<errc> check_limits(const event& ev) noexcept;

} // namespace cpamd::usage
