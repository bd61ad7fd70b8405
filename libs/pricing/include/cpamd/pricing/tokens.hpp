#pragma once

// The token counts the cost formula reads (analytics-api §1, step 2), per request and summed.
//
// The formula is linear in five segments once the uncached prompt is clamped, and the clamp
// `prompt = max(input - (cached + cache_read) - cache_creation, 0)` is per request. So a group
// sums segment_tokens (clamped per request), never request_tokens: summing inputs first and
// clamping once would undercharge a group mixing requests whose buckets exceed their input.

#include <cstdint>

namespace cpamd::pricing
{

// One request's counters as the formula names them.
struct request_tokens
{
    std::int64_t input = 0;          // total input, cache buckets included (input_tokens)
    std::int64_t cached = 0;         // legacy cached input not in cache_read (the reported cached_tokens)
    std::int64_t cache_read = 0;     //
    std::int64_t cache_creation = 0; //
    std::int64_t output = 0;         // reasoning included
    std::int64_t reasoning = 0;      // informational: no rate of its own, it is part of output
};

// The priced segments; adding them over requests keeps the cost exact.
struct segment_tokens
{
    std::int64_t prompt = 0; // max(input - (cached + cache_read) - cache_creation, 0), per request
    std::int64_t cached = 0;
    std::int64_t cache_read = 0;
    std::int64_t cache_creation = 0;
    std::int64_t output = 0;
    std::int64_t reasoning = 0; // carried along, never priced

    segment_tokens& operator+=(const segment_tokens& o) noexcept;
    friend bool operator==(const segment_tokens&, const segment_tokens&) = default;
};

// The segments of one request. Negative counters (malformed records; the parser accepts
// -1e9..1e9) count as 0, the same rule normalize_tokens uses, so no segment is ever negative.
segment_tokens segments_of(const request_tokens& t) noexcept;

} // namespace cpamd::pricing
