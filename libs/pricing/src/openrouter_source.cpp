// OpenRouter's /api/v1/models: {"data":[{"id":"openai/gpt-5","canonical_slug":"openai/gpt-5-2025-08-07",
// "pricing":{"prompt":"0.00000125","completion":"0.00001","input_cache_read":"0.000000125",
// "input_cache_write":...}}]}. Prices are decimal strings in USD per token; "-1" marks a router
// whose price depends on the model it picks (not usable).

#include "source_fields.hpp"

namespace cpamd::pricing
{

namespace json = boost::json;

source_parse parse_openrouter(std::string_view body)
{
    source_parse r;
    json::value doc;
    if (!detail::parse_document(body, "openrouter", doc, r.error))
        return r;
    const auto* data = doc.is_object() ? doc.as_object().if_contains("data") : nullptr;
    if (!data || !data->is_array())
        return {std::nullopt, "openrouter: expected {\"data\":[...]}"};
    source_catalog out;
    for (const auto& v : data->as_array())
    {
        const auto* o = v.is_object() ? &v.as_object() : nullptr;
        const auto* id = o ? o->if_contains("id") : nullptr;
        const auto* pricing = o ? o->if_contains("pricing") : nullptr;
        if (!id || !id->is_string() || id->as_string().empty() || !pricing || !pricing->is_object())
        {
            ++out.skipped;
            continue;
        }
        const auto& p = pricing->as_object();
        detail::rate_fields f{
            detail::read_number(p, "prompt"),
            detail::read_number(p, "completion"),
            detail::read_first(p, {"input_cache_read", "cache_read_input_token_cost"}),
            detail::read_first(
                p, {"input_cache_write", "input_cache_creation", "cache_creation_input_token_cost"}
            )};
        if (!f.any() || !f.valid())
        {
            ++out.skipped;
            continue;
        }
        source_model m;
        m.id = std::string(id->as_string());
        if (const auto* slug = o->if_contains("canonical_slug");
            slug && slug->is_string() && !slug->as_string().empty() && slug->as_string() != m.id)
            m.aliases.emplace_back(slug->as_string());
        m.price.rates = detail::to_rates(f, detail::unit::per_token, false);
        m.raw_json = detail::compact(v);
        out.models.push_back(std::move(m));
    }
    if (out.models.empty())
        return {std::nullopt, "openrouter: the model list contained no usable prices"};
    return {std::move(out), {}};
}

} // namespace cpamd::pricing
