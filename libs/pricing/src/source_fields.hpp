#pragma once

// Internal: reading rate fields out of the price sources' JSON, shared by the three parsers.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cpamd/pricing/model_price.hpp>
#include <cpamd/pricing/price_sources.hpp>
#include <initializer_list>
#include <string>
#include <string_view>

namespace cpamd::pricing::detail
{

// A rate field: absent (missing or null), a usable number, or something else (negative, not
// finite, above 1e9, not a number) that makes the whole entry unusable.
struct number_field
{
    bool present = false;
    bool valid = true;
    double value = 0;
};

// A JSON number or a decimal string ("0.000003", as OpenRouter sends).
number_field read_number(const boost::json::object& o, std::string_view key);
// The first of `keys` that is present.
number_field read_first(const boost::json::object& o, std::initializer_list<std::string_view> keys);

enum class unit
{
    per_token,  // x1e6
    per_million // as is
};

// The four rates a source can give, in the order prompt, completion, cache read, cache write.
struct rate_fields
{
    number_field prompt, completion, cache_read, cache_write;

    bool any() const
    {
        return prompt.present || completion.present || cache_read.present || cache_write.present;
    }
    bool valid() const { return prompt.valid && completion.valid && cache_read.valid && cache_write.valid; }
};

// Rates with their configured flags. The legacy `cache` rate is the cache read price, the way
// the upstream fills it, so older readers that only know `cache` price cached tokens too.
rate_set to_rates(const rate_fields& f, unit u, bool tier);

// The entry as compact JSON text (rawJson).
std::string compact(const boost::json::value& v);

// Parses a whole document; on failure sets `error` to "<what>: invalid JSON: <reason>".
bool parse_document(
    std::string_view body, std::string_view what, boost::json::value& out, std::string& error
);

// Sorted by threshold; false when two tiers share one.
bool sort_context_tiers(std::vector<context_tier>& tiers);

} // namespace cpamd::pricing::detail
