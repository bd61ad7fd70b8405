// LiteLLM's model_prices_and_context_window.json: {"<model>": {"input_cost_per_token": 3e-06,
// "output_cost_per_token", "cache_read_input_token_cost", "cache_creation_input_token_cost",
// "input_cost_per_token_above_200k_tokens", ..., "input_cost_per_token_priority", ...}}, USD per
// token. Keys are the ids LiteLLM routes by: "gpt-5", "azure/gpt-5", "openrouter/openai/gpt-5".

#include "source_fields.hpp"

#include <charconv>
#include <map>

namespace cpamd::pricing
{
namespace
{

namespace json = boost::json;
using detail::number_field;
using detail::rate_fields;

// The base names of the four rates, with the other spellings LiteLLM has used.
constexpr std::string_view prompt_key = "input_cost_per_token";
constexpr std::string_view completion_key = "output_cost_per_token";
constexpr std::string_view cache_read_key = "cache_read_input_token_cost";
constexpr std::string_view cache_write_key = "cache_creation_input_token_cost";

rate_fields fields_with_suffix(const json::object& o, std::string_view suffix)
{
    auto key = [suffix](std::string_view base) { return std::string(base) + std::string(suffix); };
    return {
        detail::read_number(o, key(prompt_key)),
        detail::read_number(o, key(completion_key)),
        detail::read_number(o, key(cache_read_key)),
        detail::read_number(o, key(cache_write_key))};
}

rate_fields base_fields(const json::object& o)
{
    return {
        detail::read_number(o, prompt_key),
        detail::read_number(o, completion_key),
        detail::read_first(o, {cache_read_key, "input_cache_read"}),
        detail::read_first(
            o, {cache_write_key, "cache_write_input_token_cost", "input_cache_write", "input_cache_creation"}
        )};
}

// "_above_200k_tokens" -> 200000; "_above_1m_tokens" -> 1000000; nullopt for anything else.
std::optional<std::int64_t> threshold_of(std::string_view suffix)
{
    constexpr std::string_view head = "_above_";
    constexpr std::string_view tail = "_tokens";
    if (!suffix.starts_with(head) || !suffix.ends_with(tail))
        return std::nullopt;
    auto mid = suffix.substr(head.size(), suffix.size() - head.size() - tail.size());
    std::int64_t scale = 1;
    if (!mid.empty() && (mid.back() == 'k' || mid.back() == 'K'))
        scale = 1000;
    else if (!mid.empty() && (mid.back() == 'm' || mid.back() == 'M'))
        scale = 1000000;
    if (scale != 1)
        mid.remove_suffix(1);
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(mid.data(), mid.data() + mid.size(), n);
    if (mid.empty() || ec != std::errc{} || end != mid.data() + mid.size() || n <= 0 ||
        n > (INT64_MAX / scale))
        return std::nullopt;
    return n * scale;
}

// Every "<rate>_above_<N>k_tokens" field becomes a context tier at N*1000: LiteLLM means "the
// whole request at this rate when the prompt is above N", which is what a context tier is. A
// malformed one drops them all (see models_dev_source.cpp).
std::optional<std::vector<context_tier>> context_tiers(const json::object& o)
{
    std::map<std::int64_t, std::string> suffixes;
    for (const auto& kv : o)
    {
        std::string_view key = kv.key();
        for (auto base : {prompt_key, completion_key, cache_read_key, cache_write_key})
            if (key.starts_with(base) && key.size() > base.size())
                if (auto t = threshold_of(key.substr(base.size())))
                    suffixes.emplace(*t, std::string(key.substr(base.size())));
    }
    std::vector<context_tier> out;
    for (const auto& [threshold, suffix] : suffixes)
    {
        auto f = fields_with_suffix(o, suffix);
        if (!f.valid())
            return std::nullopt;
        if (!f.any()) // only nulls: no tier
            continue;
        out.push_back({threshold, detail::to_rates(f, detail::unit::per_token, true)});
    }
    return out;
}

// "<rate>_priority" fields: OpenAI's priority processing, the service tier the Codex "fast" mode
// selects, as the models.dev fast mode maps it.
std::optional<std::vector<service_tier_price>> priority_tier(const json::object& o)
{
    auto f = fields_with_suffix(o, "_priority");
    if (!f.valid())
        return std::nullopt;
    if (!f.any())
        return std::vector<service_tier_price>{};
    return std::vector<service_tier_price>{
        {"fast", "priority", detail::to_rates(f, detail::unit::per_token, true)}};
}

} // namespace

source_parse parse_litellm(std::string_view body)
{
    source_parse r;
    json::value doc;
    if (!detail::parse_document(body, "litellm", doc, r.error))
        return r;
    if (!doc.is_object())
        return {std::nullopt, "litellm: expected a JSON object"};
    source_catalog out;
    for (const auto& [key, v] : doc.as_object())
    {
        if (key == "sample_spec") // the file's own documentation entry
            continue;
        if (key.empty() || !v.is_object())
        {
            ++out.skipped;
            continue;
        }
        const auto& o = v.as_object();
        auto f = base_fields(o);
        auto tiers = context_tiers(o);
        auto service = priority_tier(o);
        if (!f.any() || !f.valid() || !tiers || !service)
        {
            ++out.skipped;
            continue;
        }
        source_model m;
        m.id = std::string(key);
        m.price.rates = detail::to_rates(f, detail::unit::per_token, false);
        m.price.context_tiers = std::move(*tiers);
        m.price.service_tiers = std::move(*service);
        m.raw_json = detail::compact(v);
        out.models.push_back(std::move(m));
    }
    if (out.models.empty())
        return {std::nullopt, "litellm: the price list contained no usable prices"};
    return {std::move(out), {}};
}

} // namespace cpamd::pricing
