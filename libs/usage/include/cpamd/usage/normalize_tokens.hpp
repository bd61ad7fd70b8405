#pragma once

// Token accounting. A CPA record carries two views of the same usage:
//
//  * `tokens`: flat counters whose meaning depends on the provider (spec cpa-usage-queue §1):
//      - OpenAI-like (codex, openai-compat, xai, kimi, ... and anything unknown):
//          input INCLUDES cache reads/writes, output INCLUDES reasoning;
//      - Gemini-like (gemini, gemini-cli, vertex, aistudio, antigravity):
//          input INCLUDES cache, reasoning is SEPARATE from output;
//      - Claude (claude, anthropic):
//          input EXCLUDES cache reads and writes, output INCLUDES thinking.
//    `cached_tokens` is legacy and usually EQUAL to `cache_read_tokens`: the two are never summed.
//  * `token_breakdown` (schema_version 2, since v7.2.97): canonical buckets, used first.
//
// We keep both: token_counts (raw, what the /usage payload, the export and the dedup hash need)
// and cost_tokens (canonical, what pricing needs). The rules that derive cost_tokens:
//
//  1. breakdown v2 present: uncached = input.uncached_tokens, cache_read = input.cache_read_tokens,
//     cache_write = input.cache_write_tokens, output = output.total_tokens (incl. reasoning),
//     reasoning = output.reasoning_tokens.
//  2. otherwise, from the flat counters (negative values count as 0):
//       read  = cache_read_tokens if > 0, else max(cached_tokens, cache_tokens) (old records)
//       write = cache_creation_tokens
//       OpenAI: uncached = max(input - read - write, 0); output = output;             reasoning
//       Gemini: uncached = max(input - read - write, 0); output = output + reasoning; reasoning
//       Claude: uncached = input;                         output = output;             reasoning

#include <cstdint>
#include <string_view>

namespace cpamd::usage
{

// Raw flat counters as found in the record (`tokens`, `usage` or top level).
struct token_counts
{
    std::int64_t input = 0;
    std::int64_t output = 0;
    std::int64_t reasoning = 0;
    std::int64_t cached = 0;         // legacy cached_tokens
    std::int64_t cache = 0;          // cache_tokens (older aggregate exports)
    std::int64_t cache_read = 0;     // cache_read[_input]_tokens
    std::int64_t cache_creation = 0; // cache_creation[_input]_tokens | cache_write[_input]_tokens
    std::int64_t total = 0;

    friend bool operator==(const token_counts&, const token_counts&) = default;
};

// a + b, clamped to the int64 range: counters come from untrusted input.
inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept
{
    std::int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

// Canonical buckets: disjoint inputs, output including reasoning.
struct cost_tokens
{
    std::int64_t input_uncached = 0;
    std::int64_t cache_read = 0;
    std::int64_t cache_write = 0;
    std::int64_t output = 0;    // total output, reasoning included
    std::int64_t reasoning = 0; // informational part of `output`

    std::int64_t total_input() const noexcept
    {
        return saturating_add(saturating_add(input_uncached, cache_read), cache_write);
    }
    std::int64_t total() const noexcept { return saturating_add(total_input(), output); }

    friend bool operator==(const cost_tokens&, const cost_tokens&) = default;
};

// The v2 breakdown fields we use (token_breakdown.input / .output).
struct token_breakdown_v2
{
    std::int64_t uncached = 0;
    std::int64_t cache_read = 0;
    std::int64_t cache_write = 0;
    std::int64_t output_total = 0;
    std::int64_t reasoning = 0;
};

enum class token_semantics : std::uint8_t
{
    breakdown_v2, // from token_breakdown
    openai,
    gemini,
    claude,
};

std::string_view to_string(token_semantics s) noexcept;

// Semantics of the flat counters for a provider id (case-insensitive); unknown ids are
// OpenAI-like, which is CPA's default.
token_semantics semantics_for_provider(std::string_view provider) noexcept;

// Canonical buckets from the flat counters under `s` (must not be breakdown_v2: then the
// counters are read as OpenAI-like).
cost_tokens cost_from_flat(const token_counts& t, token_semantics s) noexcept;

cost_tokens cost_from_breakdown(const token_breakdown_v2& b) noexcept;

// cached_tokens / cache_tokens as the compatible /usage payload reports them (manager-api §5.6):
// c = max(cached, cache), f = max(read, 0) + max(creation, 0), result = c > f ? c - f : 0.
std::int64_t compat_cached_tokens(const token_counts& t) noexcept;

} // namespace cpamd::usage
