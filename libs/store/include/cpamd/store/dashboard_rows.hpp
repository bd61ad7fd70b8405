#pragma once

// The dashboard's projections (projections.hpp made with the hourly ones, same rules: an hour
// is served only while it is in proj_hours):
//  * proj_source_hour: per hour × source hash × auth index, the calls, failures, newest event,
//    latency sums and, for each name the dashboard shows, the largest value met in the hour
//    (the dashboard shows the largest of the day, as the upstream's max());
//  * proj_health_slot: per 5-minute slot, calls, failures and tokens (the health strip's
//    10-minute cells start at the local midnight, a multiple of 5 minutes in every zone).

#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <functional>

namespace cpamd::store
{

inline constexpr std::int64_t health_slot_ms = 5 * 60'000;

struct source_hour_row
{
    std::int64_t hour = 0, source_hash = 0, auth_index = 0;
    std::int64_t calls = 0, failures = 0, last_seen_ns = 0, latency_samples = 0, latency_sum = 0;
    // dim ids of the largest value of each name in the hour (0: none)
    std::int64_t source = 0, account = 0, label = 0, provider_snapshot = 0, provider = 0;
};

// Every proj_source_hour row of [first_hour, end_hour).
void for_each_source_hour_row(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(const source_hour_row&)>& f
);

struct health_slot_row
{
    std::int64_t slot = 0; // 5-minute slots since the epoch (UTC)
    std::int64_t calls = 0, failures = 0, tokens = 0;
};

// Every proj_health_slot row of the hours [first_hour, end_hour).
void for_each_health_slot(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(const health_slot_row&)>& f
);

} // namespace cpamd::store
