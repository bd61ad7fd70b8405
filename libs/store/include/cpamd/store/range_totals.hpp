#pragma once

// Totals over a time range that stay fast on a long history: complete hours come from the hourly
// rollups, only the partial hours at the two edges are read from raw events. The result equals a
// scan of the raw events (as long as retention has not deleted raw events inside the range's
// edges: complete hours survive retention, edges do not).

#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>

namespace cpamd::store
{

struct range_totals
{
    std::int64_t calls = 0;
    std::int64_t failures = 0;
    // input, output, reasoning, cached, cache, cache_read, cache_creation, total
    std::int64_t tokens[8] = {};
    // uncached input, cache read, cache write, output, reasoning
    std::int64_t cost_tokens[5] = {};
    std::int64_t latency_count = 0;
    std::int64_t latency_sum = 0;
    latency_histogram latency;

    // Throws std::overflow_error instead of wrapping (as do the readers below); the parser's
    // bounds (usage/limits.hpp) keep real sums far from it.
    range_totals& operator+=(const range_totals& o);
};

// Events with from_ns <= ts_ns < to_ns. Run inside one read transaction for a consistent answer.
range_totals totals_between(connection& db, std::int64_t from_ns, std::int64_t to_ns);

// The same from raw events only (reference for tests and for ranges shorter than an hour).
range_totals raw_totals_between(connection& db, std::int64_t from_ns, std::int64_t to_ns);

} // namespace cpamd::store
