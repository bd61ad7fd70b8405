// models.dev: prices already in USD per 1M tokens. Three layouts carry the same entries:
//   catalog.json  {"providers":{"<p>":{"models":{"<id>":entry}}},"models":{"<p>/<id>":...}}
//                 where the top-level "models" names each model's canonical (official) listing;
//   api.json      {"<p>":{"models":{"<id>":entry}}};
//   the bundled catalog (libs/pricing/catalog) {"models":{"<id>":entry}}, one listing per id.
// entry: {"cost":{"input","output","cache_read","cache_write","tiers":[{"tier":{"type":"context",
// "size":N},"input",...}]},"experimental":{"modes":{"fast":{"cost":{...}}}}}.

#include "source_fields.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace cpamd::pricing
{
namespace
{

namespace json = boost::json;
using detail::number_field;
using detail::rate_fields;

rate_fields cost_fields(const json::object& cost)
{
    return {
        detail::read_number(cost, "input"),
        detail::read_number(cost, "output"),
        detail::read_number(cost, "cache_read"),
        detail::read_number(cost, "cache_write")};
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// A positive whole number of tokens.
std::optional<std::int64_t> tier_size(const json::value* v)
{
    if (!v)
        return std::nullopt;
    if (v->is_int64() && v->as_int64() > 0)
        return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_double())
    {
        double d = v->as_double();
        if (d > 0 && d < 9e18 && d == static_cast<double>(static_cast<std::int64_t>(d)))
            return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

// The context tiers of cost.tiers. A malformed context tier drops them all: pricing long
// requests with half a table would be worse than pricing them at the base rates.
std::vector<context_tier> context_tiers(const json::object& cost)
{
    const auto* tiers = cost.if_contains("tiers");
    if (!tiers || !tiers->is_array())
        return {};
    std::vector<context_tier> out;
    for (const auto& t : tiers->as_array())
    {
        if (!t.is_object())
            continue;
        const auto& o = t.as_object();
        const auto* desc = o.if_contains("tier");
        if (!desc || !desc->is_object())
            continue;
        const auto* type = desc->as_object().if_contains("type");
        if (!type || !type->is_string() || lower(type->as_string()) != "context")
            continue;
        auto size = tier_size(desc->as_object().if_contains("size"));
        auto f = cost_fields(o);
        if (!size || !f.any() || !f.valid())
            return {};
        out.push_back({*size, detail::to_rates(f, detail::unit::per_million, true)});
    }
    if (!detail::sort_context_tiers(out))
        return {};
    return out;
}

// experimental.modes.fast.cost -> the explicit price of service tier "priority" (mode "fast").
std::vector<service_tier_price> fast_mode(const json::object& entry)
{
    const json::value* v = entry.if_contains("experimental");
    for (std::string_view key : {"modes", "fast", "cost"})
    {
        if (!v || !v->is_object())
            return {};
        v = v->as_object().if_contains(key);
    }
    if (!v || !v->is_object())
        return {};
    auto f = cost_fields(v->as_object());
    if (!f.any() || !f.valid())
        return {};
    return {{"fast", "priority", detail::to_rates(f, detail::unit::per_million, true)}};
}

// One entry -> a source model, or nullopt when it carries no usable price.
std::optional<source_model> read_entry(const json::value& v)
{
    if (!v.is_object())
        return std::nullopt;
    const auto& entry = v.as_object();
    const auto* cost = entry.if_contains("cost");
    if (!cost || !cost->is_object())
        return std::nullopt;
    auto f = cost_fields(cost->as_object());
    if (!f.any() || !f.valid())
        return std::nullopt;
    source_model m;
    m.price.rates = detail::to_rates(f, detail::unit::per_million, false);
    m.price.context_tiers = context_tiers(cost->as_object());
    m.price.service_tiers = fast_mode(entry);
    m.raw_json = detail::compact(v);
    return m;
}

void add_alias(source_model& m, std::string_view alias)
{
    if (!alias.empty() && alias != m.id &&
        std::find(m.aliases.begin(), m.aliases.end(), alias) == m.aliases.end())
        m.aliases.emplace_back(alias);
}

// The models of one provider; `provider` empty for the bundled catalog, whose entries name
// their provider themselves and are keyed by the bare id.
void read_provider(
    std::string_view provider,
    const json::object& models,
    const std::set<std::string>& canonical,
    source_catalog& out
)
{
    for (const auto& [key, v] : models)
    {
        auto m = read_entry(v);
        if (key.empty() || !m)
        {
            ++out.skipped;
            continue;
        }
        const auto& entry = v.as_object();
        m->id = provider.empty() ? std::string(key) : std::string(provider) + "/" + std::string(key);
        m->provider = std::string(provider);
        if (const auto* own = entry.if_contains("provider"); provider.empty() && own && own->is_string())
            m->provider = std::string(own->as_string());
        if (!provider.empty())
            add_alias(*m, key);
        if (const auto* id = entry.if_contains("id"); id && id->is_string())
            add_alias(*m, id->as_string());
        m->official = canonical.count(lower(m->id)) > 0;
        out.models.push_back(std::move(*m));
    }
}

} // namespace

source_parse parse_models_dev(std::string_view body)
{
    source_parse r;
    json::value doc;
    if (!detail::parse_document(body, "models.dev", doc, r.error))
        return r;
    if (!doc.is_object())
        return {std::nullopt, "models.dev: expected a JSON object"};
    const auto& root = doc.as_object();

    source_catalog out;
    const json::object* providers = &root;
    std::set<std::string> canonical;
    const auto* p = root.if_contains("providers");
    const auto* flat = root.if_contains("models");
    if (p && p->is_object())
    {
        providers = &p->as_object();
        if (flat && flat->is_object())
            for (const auto& kv : flat->as_object())
                canonical.insert(lower(kv.key()));
    }
    else if (flat && flat->is_object())
    {
        // The bundled catalog: one listing per id; the provider rides along in the entry.
        read_provider({}, flat->as_object(), canonical, out);
        providers = nullptr;
    }
    if (providers)
        for (const auto& [name, prov] : *providers)
        {
            const auto* models = prov.is_object() ? prov.as_object().if_contains("models") : nullptr;
            if (!models || !models->is_object())
                continue;
            read_provider(name, models->as_object(), canonical, out);
        }
    if (out.models.empty())
        return {std::nullopt, "models.dev: the catalog contained no usable prices"};
    return {std::move(out), {}};
}

} // namespace cpamd::pricing
