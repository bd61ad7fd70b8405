#pragma once

// Read side of the hourly rollups: every row of a range of hours, the deltas the writer has not
// folded yet included, so the rows always add up to exactly the events' sums.

#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string_view>

namespace cpamd::store
{

struct rollup_row
{
    std::int64_t hour = 0; // hours since the Unix epoch (UTC)
    // dim ids
    std::int64_t model = 0;
    std::int64_t provider = 0;
    std::int64_t auth_index = 0;
    std::int64_t endpoint = 0;
    bool failed = false;
    std::int64_t billing_model = 0; // response_model, else resolved_model
    std::int64_t service_tier = 0;
    std::int64_t context_floor = 0; // context_bands.hpp
    std::int64_t calls = 0;
    // input, output, reasoning, cached, cache, cache_read, cache_creation, total
    std::int64_t tokens[8] = {};
    // canonical cost buckets: uncached input, cache read, cache write, output, reasoning
    std::int64_t cost[5] = {};
    std::int64_t latency_count = 0, latency_sum = 0, ttft_count = 0, ttft_sum = 0;
    std::string_view latency_hist; // encoded latency_histogram; valid during the call only
};

// Calls f for every row with first_hour <= hour < end_hour (a key may come twice: once from
// rollup_hour, once per pending delta). Run inside a read transaction for one snapshot.
void for_each_rollup_row(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(const rollup_row&)>& f
);

// Calls per hour (rollup_hour grouped, plus the pending deltas), oldest hour first.
std::map<std::int64_t, std::int64_t> calls_per_hour(connection& db);

} // namespace cpamd::store
