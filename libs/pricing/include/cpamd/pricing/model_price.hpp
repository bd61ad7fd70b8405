#pragma once

// A model's price as manager-api §5.10 defines it, in USD per 1,000,000 tokens. Validation
// (finite, >= 0, thresholds > 0 and unique, at least one flag per tier) belongs to whoever
// builds these from JSON; the cost function trusts them.
//
// Wire mapping: every rate has a `<name>Configured` flag except the top-level `cache`, which is
// always sent. Its reader sets rates.cache.configured = (cache > 0): the flagless field can only
// mean "unset" by being 0, and the cost rules need to know (cacheRead falls back to it).

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cpamd::pricing
{

struct rate
{
    double per_million = 0; // USD per 1,000,000 tokens
    bool configured = false;
};

struct rate_set
{
    rate prompt;         // uncached input
    rate completion;     // output, reasoning included
    rate cache;          // legacy cached input; also the first fallback of cache_read
    rate cache_read;     // falls back to cache, then to 10% of prompt
    rate cache_creation; // falls back to prompt
};

// Rates for requests whose normalized input strictly exceeds threshold_tokens. Only the
// configured rates override the base price; the others are inherited from it.
struct context_tier
{
    std::int64_t threshold_tokens = 0;
    rate_set rates;
};

// An explicit price for a service tier. A request matches when its service tier equals
// `service_tier` or `mode` (both lower-cased by validation; "priority" / "fast").
struct service_tier_price
{
    std::string mode;
    std::string service_tier;
    rate_set rates;
};

struct model_price
{
    rate_set rates;
    std::vector<context_tier> context_tiers;
    std::vector<service_tier_price> service_tiers;
};

// Model id -> price. std::less<> so lookups take string_views without allocating.
using price_map = std::map<std::string, model_price, std::less<>>;

struct price_table
{
    price_map prices;  // the model_prices rows (a snapshot taken once per request)
    price_map builtin; // list prices consulted only when no row matches (see price_lookup.hpp)
};

} // namespace cpamd::pricing
