#pragma once

// The one cost function (analytics-api §1 "Cost"), used by every figure that shows a cost.
// Cost is computed at read time with the current prices: callers pass a price_table snapshot
// and token counts, nothing here is stored.
//
// Called per rollup group: all requests of a group share the model names (so the price row),
// the service tier (so the service-tier price or multiplier) and the context band (so the
// context tier and the legacy long-context factors: context_band.hpp). Within such a group the
// five rates are fixed and the cost is a linear function of the segment tokens, which
// segments_of() clamps per request (tokens.hpp). Hence group_cost() of the summed segments
// equals the sum of request_cost() over the group's requests, up to rounding of doubles.

#include <cpamd/pricing/effective_rates.hpp>
#include <cpamd/pricing/price_lookup.hpp>
#include <cpamd/pricing/tokens.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace cpamd::pricing
{

inline constexpr double tokens_per_price_unit = 1'000'000; // prices are USD per 1M tokens

struct usage_group
{
    model_names models;
    std::string_view service_tier;
    std::int64_t context_floor = 0; // context_band_floor() of the group's requests
    segment_tokens tokens;          // sums of segments_of() over the group's requests
};

struct request_usage
{
    model_names models;
    std::string_view service_tier;
    std::int64_t normalized_input = 0; // coalesce(normalized_total_input_tokens, input_tokens)
    request_tokens tokens;
};

struct cost_result
{
    double usd = 0;
    std::string priced_model; // id of the price row used; empty when there was none
    price_origin origin = price_origin::none;
};

// The priced segments of cpamd's canonical cost buckets (usage::cost_tokens: disjoint, never
// negative, legacy cached input already in cache_read), as the rollups and events store them.
inline segment_tokens segments_of_buckets(
    std::int64_t uncached,
    std::int64_t cache_read,
    std::int64_t cache_write,
    std::int64_t output,
    std::int64_t reasoning
) noexcept
{
    return {uncached, 0, cache_read, cache_write, output, reasoning};
}

// Cost of the group with the rates of `rates` (no lookup): the formula of step 2.
double cost_usd(const segment_tokens& tokens, const effective_rates& rates) noexcept;

cost_result group_cost(const price_table& table, const usage_group& group);

// One request on its own: its band is taken from its own normalized input.
cost_result request_cost(const price_table& table, const request_usage& request);

} // namespace cpamd::pricing
