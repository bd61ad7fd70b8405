#pragma once

// Usage of a range cut into caller-given time buckets, fast on a long history: the whole UTC
// hours that lie wholly inside one bucket come from the hourly rollups (store::for_each_rollup_row,
// pending deltas included), everything else (partial hours at a bucket's edges, as in half-hour
// and 45-minute zones, or a bucket shorter than an hour) from raw events, one slice per event.
// Summing the slices of a bucket gives exactly the sums of its raw events. Cost is not here:
// every cost figure comes from for_each_priced_slice (priced_usage.hpp).

#include <cpamd/store/sqlite.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace cpamd::analytics
{

struct usage_slice
{
    std::size_t bucket = 0;   // index into the buckets: [edges[bucket], edges[bucket + 1])
    bool from_rollup = false; // one rollup row (an hour, one key), else one raw event
    std::int64_t ts_ns = 0;   // the hour's start for a rollup row, the event's time for a raw one
    // dim ids (store::dim_reader names them)
    std::int64_t model = 0;
    std::int64_t provider = 0;
    std::int64_t auth_index = 0;
    std::int64_t endpoint = 0;
    bool failed = false;
    std::int64_t calls = 0;
    // as store::rollup_row: input, output, reasoning, cached, cache, cache_read, cache_creation, total
    std::int64_t tokens[8] = {};
    // canonical cost buckets: uncached input, cache read, cache write, output, reasoning
    std::int64_t cost[5] = {};
    // Latency samples above 0 ms (analytics-api §1: avg(nullif(latency_ms, 0))) and their sum.
    // A rollup row's count is its latency_count less its histogram's 0-ms bucket (which also
    // holds negative latencies, which CPA never sends: their value stays in the sum).
    std::int64_t latency_samples = 0;
    std::int64_t latency_sum = 0;
};

// Calls f for every slice of the buckets [edges_ms[i], edges_ms[i + 1]) (UTC epoch ms,
// non-decreasing; an empty bucket has no slice). Run inside one read transaction.
void for_each_bucket_slice(
    store::connection& db,
    std::span<const std::int64_t> edges_ms,
    const std::function<void(const usage_slice&)>& f
);

} // namespace cpamd::analytics
