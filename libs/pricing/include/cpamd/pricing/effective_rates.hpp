#pragma once

// Steps 2-5 of analytics-api §1 "Cost": the five rates that price one request (or one band of
// requests) once its price row is known. Applied in this order:
//
//  1. the base rates of the row;
//  2. context tier: the tier with the highest threshold <= context_floor (context_band.hpp:
//     the highest threshold the input strictly exceeds) overrides the rates it configures,
//     for the whole request;
//     - legacy long-context: a row with no tiers at all in family gpt-5.4, gpt-5.5 or gpt-5.6,
//       for a request above 272,000 input tokens, is charged x2 on every input-side rate
//       (prompt, cache, cache_read, cache_creation) and x1.5 on completion. "The long part"
//       is the whole long request, the same requests the long_* columns count;
//  3. service tier: an explicit service-tier price of the row overrides the rates it
//     configures (the most specific price wins, also over a context tier); with none, a
//     multiplier scales all five rates (service_tier_multiplier);
//  4. fallbacks for rates still unconfigured after 2 and 3: cache_read -> cache -> 10% of
//     prompt; cache_creation -> prompt (so they follow a tier's prompt, not the base's);
//  5. the legacy factors and the multiplier multiply the result (they compose: a priority
//     request above 272k on gpt-5.4 pays input x2 x2).

#include <cpamd/pricing/model_price.hpp>
#include <cstdint>
#include <string_view>

namespace cpamd::pricing
{

// Final rates in USD per 1,000,000 tokens.
struct effective_rates
{
    double prompt = 0;
    double completion = 0;
    double cache = 0;
    double cache_read = 0;
    double cache_creation = 0;
};

// The tier that prices a request of the band `context_floor`, or null.
const context_tier* select_context_tier(const model_price& price, std::int64_t context_floor) noexcept;

// Whether the legacy long-context factors apply (row `model_id` without tiers, above 272,000).
bool legacy_long_context(
    const model_price& price, std::string_view model_id, std::int64_t context_floor
) noexcept;

// The row's explicit price for `service_tier` (matched case-insensitively against both its
// service_tier and its mode), or null. An empty tier matches nothing.
const service_tier_price* find_service_tier(const model_price& price, std::string_view service_tier) noexcept;

// The multiplier used when a row has no explicit price for the tier: flex/batch x0.5 for every
// model; priority/fast x2.5 for gpt-5.5, x2 for gpt-5.4*, gpt-5.3-codex and gpt-5.6, and x1
// for other models (the spec names no multiplier for them); anything else x1.
double service_tier_multiplier(std::string_view model_id, std::string_view service_tier) noexcept;

effective_rates resolve_rates(
    const model_price& price,
    std::string_view model_id,
    std::int64_t context_floor,
    std::string_view service_tier
) noexcept;

} // namespace cpamd::pricing
