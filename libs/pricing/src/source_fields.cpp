#include "source_fields.hpp"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>
#include <cpamd/core/go_json.hpp>

namespace cpamd::pricing
{
namespace
{

double round_significant(double v)
{
    if (!std::isfinite(v) || v == 0)
        return v;
    std::array<char, 64> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::general, 12);
    if (ec != std::errc{})
        return v;
    double out = v;
    std::from_chars(buf.data(), end, out);
    return out;
}

} // namespace

double per_million(double per_token)
{
    return round_significant(per_token * 1e6);
}

double round_price(double per_million_value)
{
    return round_significant(per_million_value);
}

namespace detail
{

namespace json = boost::json;

constexpr double max_price = 1e9;

number_field read_number(const json::object& o, std::string_view key)
{
    number_field f;
    const auto* v = o.if_contains(key);
    if (!v || v->is_null())
        return f;
    f.present = true;
    if (v->is_number())
        f.value = v->to_number<double>();
    else if (v->is_string())
    {
        std::string_view s = v->as_string();
        while (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ')
            s.remove_suffix(1);
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), f.value);
        if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
            f.valid = false;
    }
    else
        f.valid = false;
    // Above a billion dollars is not a price (and x1e6 must stay finite).
    if (!std::isfinite(f.value) || f.value < 0 || f.value > max_price)
        f.valid = false;
    return f;
}

number_field read_first(const json::object& o, std::initializer_list<std::string_view> keys)
{
    for (auto k : keys)
        if (auto f = read_number(o, k); f.present)
            return f;
    return {};
}

rate_set to_rates(const rate_fields& f, unit u, bool tier)
{
    auto conv = [u](const number_field& n) -> rate
    {
        if (!n.present)
            return {};
        return {u == unit::per_token ? per_million(n.value) : round_price(n.value), true};
    };
    rate_set r;
    r.prompt = conv(f.prompt);
    r.completion = conv(f.completion);
    r.cache_read = conv(f.cache_read);
    r.cache_creation = conv(f.cache_write);
    r.cache = r.cache_read;
    // The top-level `cache` has no flag on the wire: its reader takes 0 as unset (model_price.hpp).
    if (!tier)
        r.cache.configured = r.cache.per_million > 0;
    return r;
}

std::string compact(const json::value& v)
{
    // Go's encoding (plain decimals, not Boost's 5.5E-1), as the upstream stores rawJson.
    auto text = go_json::encode(v);
    if (!text.empty() && text.back() == '\n')
        text.pop_back();
    return text;
}

bool parse_document(std::string_view body, std::string_view what, json::value& out, std::string& error)
{
    boost::system::error_code ec;
    json::parse_options opt;
    opt.max_depth = 64;
    out = json::parse(body, ec, {}, opt);
    if (ec)
    {
        error = std::string(what) + ": invalid JSON: " + ec.message();
        return false;
    }
    return true;
}

bool sort_context_tiers(std::vector<context_tier>& tiers)
{
    std::sort(
        tiers.begin(),
        tiers.end(),
        [](const context_tier& a, const context_tier& b) { return a.threshold_tokens < b.threshold_tokens; }
    );
    return std::adjacent_find(
               tiers.begin(),
               tiers.end(),
               [](const context_tier& a, const context_tier& b)
               { return a.threshold_tokens == b.threshold_tokens; }
           ) == tiers.end();
}

} // namespace detail
} // namespace cpamd::pricing
