#pragma once

// Step 1 of analytics-api §1 "Cost": which price row prices a request.
//
// Order: the billing model (the upstream's resolved_model), then the analytics model, then the
// requested/display model; the first one with a row in table.prices wins. Only when none has
// a row are the same three names tried, in the same order, against table.builtin (the spec's
// "built-in list prices are the last fallback"). Names match exactly (ids are stored as sent);
// empty names are skipped. No match at all: the request costs 0.

#include <cpamd/pricing/model_price.hpp>
#include <string_view>

namespace cpamd::pricing
{

struct model_names
{
    std::string_view billing;   // resolved_model (response_model when the record has it)
    std::string_view analytics; // the analytics model key
    std::string_view requested; // requested / display model
};

enum class price_origin : unsigned char
{
    none,    // no price: cost 0
    table,   // a model_prices row
    builtin, // a built-in list price
};

struct price_match
{
    const model_price* price = nullptr; // null when origin == none
    std::string_view model;             // the id of the row used (points into the table)
    price_origin origin = price_origin::none;
};

price_match find_price(const price_table& table, const model_names& names);

} // namespace cpamd::pricing
