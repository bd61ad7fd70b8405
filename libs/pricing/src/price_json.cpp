#include <algorithm>
#include <boost/json/array.hpp>
#include <cmath>
#include <cpamd/pricing/price_json.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

// Reading follows the upstream's Go decoder (encoding/json into model.ModelPrice) and its
// ValidateModelPrice / NormalizeModelPrice*Tiers: a missing or null field is the zero value, a
// field of the wrong type is an error (400 here), unknown fields are ignored. Context tiers come
// back sorted by threshold, service tiers by (mode, serviceTier), as the upstream stores them.
//
// promptConfigured / completionConfigured: a missing (or null) flag reads as TRUE, an explicit
// false as false. That is what a row without the flags always meant (the columns default to 1 and
// the upstream's migration backfilled 1), so a client that sends only prompt/completion/cache
// keeps its prices configured. For GET -> PUT to round-trip, the writer therefore always emits
// these two flags, false included (Go's omitempty would drop false, which a reader defaulting to
// true could not tell from "absent"). Every other flag reads missing as false and is omitted when
// false, exactly as Go does.

namespace cpamd::pricing
{
namespace
{

namespace json = boost::json;

// A validation failure inside one model's entry; turned into price_error at the boundary.
struct invalid
{
    std::string message;
};

constexpr std::string_view spaces = " \t\n\v\f\r";

std::string_view trim(std::string_view s)
{
    const auto b = s.find_first_not_of(spaces);
    if (b == std::string_view::npos)
        return {};
    return s.substr(b, s.find_last_not_of(spaces) - b + 1);
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

class entry_reader
{
public:
    explicit entry_reader(std::string_view model) : model_(model) {}

    [[noreturn]] void fail(std::string_view what) const
    {
        throw invalid{"invalid model price for " + std::string(model_) + ": " + std::string(what)};
    }

    // A rate: a finite number >= 0; missing or null is 0.
    double rate(const json::object& o, std::string_view key, std::string_view where = {}) const
    {
        const auto* v = o.if_contains(key);
        if (!v || v->is_null())
            return 0;
        double d = 0;
        if (v->is_double())
            d = v->as_double();
        else if (v->is_int64())
            d = static_cast<double>(v->as_int64());
        else if (v->is_uint64())
            d = static_cast<double>(v->as_uint64());
        else
            fail(std::string(where) + std::string(key) + " must be a number");
        if (!std::isfinite(d) || d < 0)
            fail(std::string(where) + std::string(key) + " must be a finite number >= 0");
        return d;
    }

    bool flag(const json::object& o, std::string_view key, bool absent, std::string_view where = {}) const
    {
        const auto* v = o.if_contains(key);
        if (!v || v->is_null())
            return absent;
        if (!v->is_bool())
            fail(std::string(where) + std::string(key) + " must be a boolean");
        return v->as_bool();
    }

    std::string text(const json::object& o, std::string_view key, std::string_view where = {}) const
    {
        const auto* v = o.if_contains(key);
        if (!v || v->is_null())
            return {};
        if (!v->is_string())
            fail(std::string(where) + std::string(key) + " must be a string");
        return std::string(v->as_string());
    }

    // An integer (a whole number written as a float is accepted too); missing or null is 0.
    std::int64_t integer(const json::object& o, std::string_view key, std::string_view where = {}) const
    {
        const auto* v = o.if_contains(key);
        if (!v || v->is_null())
            return 0;
        if (v->is_int64())
            return v->as_int64();
        if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
            return static_cast<std::int64_t>(v->as_uint64());
        // In range first: converting a double beyond int64 is undefined.
        if (v->is_double())
            if (const double d = v->as_double();
                d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<std::int64_t>(d)))
                return static_cast<std::int64_t>(d);
        fail(std::string(where) + std::string(key) + " must be an integer");
    }

    const json::array* array(const json::object& o, std::string_view key) const
    {
        const auto* v = o.if_contains(key);
        if (!v || v->is_null())
            return nullptr;
        if (!v->is_array())
            fail(std::string(key) + " must be an array");
        return &v->as_array();
    }

    const json::object& object(const json::value& v, std::string_view what) const
    {
        if (!v.is_object())
            fail(std::string(what) + " must be an object");
        return v.as_object();
    }

    // The five rates and five flags of a tier (every flag explicit).
    rate_set tier_rates(const json::object& o, const std::string& where) const
    {
        rate_set r;
        r.prompt = {rate(o, "prompt", where), flag(o, "promptConfigured", false, where)};
        r.completion = {rate(o, "completion", where), flag(o, "completionConfigured", false, where)};
        r.cache = {rate(o, "cache", where), flag(o, "cacheConfigured", false, where)};
        r.cache_read = {rate(o, "cacheRead", where), flag(o, "cacheReadConfigured", false, where)};
        r.cache_creation = {
            rate(o, "cacheCreation", where), flag(o, "cacheCreationConfigured", false, where)};
        return r;
    }

private:
    std::string_view model_;
};

bool any_configured(const rate_set& r)
{
    return r.prompt.configured || r.completion.configured || r.cache.configured || r.cache_read.configured ||
           r.cache_creation.configured;
}

std::vector<context_tier> read_context_tiers(const entry_reader& in, const json::array* list)
{
    std::vector<context_tier> tiers;
    if (!list)
        return tiers;
    tiers.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i)
    {
        const std::string where = "contextTiers[" + std::to_string(i) + "].";
        const auto& o = in.object((*list)[i], "contextTiers[" + std::to_string(i) + "]");
        context_tier t;
        t.threshold_tokens = in.integer(o, "thresholdTokens", where);
        t.rates = in.tier_rates(o, where);
        tiers.push_back(std::move(t));
    }
    std::stable_sort(
        tiers.begin(),
        tiers.end(),
        [](const context_tier& a, const context_tier& b) { return a.threshold_tokens < b.threshold_tokens; }
    );
    for (std::size_t i = 0; i < tiers.size(); ++i)
    {
        const auto threshold = std::to_string(tiers[i].threshold_tokens);
        if (tiers[i].threshold_tokens <= 0)
            in.fail("context tier threshold must be positive: " + threshold);
        if (i > 0 && tiers[i - 1].threshold_tokens == tiers[i].threshold_tokens)
            in.fail("duplicate context tier threshold: " + threshold);
        if (!any_configured(tiers[i].rates))
            in.fail("context tier at threshold " + threshold + " has no configured prices");
    }
    return tiers;
}

std::vector<service_tier_price> read_service_tiers(const entry_reader& in, const json::array* list)
{
    std::vector<service_tier_price> tiers;
    if (!list)
        return tiers;
    tiers.reserve(list->size());
    std::map<std::string, std::size_t, std::less<>> claimed; // identifier -> tier index
    for (std::size_t i = 0; i < list->size(); ++i)
    {
        const std::string where = "serviceTiers[" + std::to_string(i) + "].";
        const auto& o = in.object((*list)[i], "serviceTiers[" + std::to_string(i) + "]");
        service_tier_price t;
        t.mode = lower(trim(in.text(o, "mode", where)));
        t.service_tier = lower(trim(in.text(o, "serviceTier", where)));
        t.rates = in.tier_rates(o, where);
        if (t.mode.empty() || t.service_tier.empty())
            in.fail(where + "mode and serviceTier are required");
        const auto name = t.mode + "/" + t.service_tier;
        if (!any_configured(t.rates))
            in.fail("service tier " + name + " has no configured prices");
        // A usage tier matches either identifier, so no two rules may share one.
        for (const auto* id : {&t.mode, &t.service_tier})
        {
            auto [it, fresh] = claimed.try_emplace(*id, i);
            if (!fresh && it->second != i)
                in.fail("duplicate service tier identifier: " + *id);
        }
        tiers.push_back(std::move(t));
    }
    std::sort(
        tiers.begin(),
        tiers.end(),
        [](const service_tier_price& a, const service_tier_price& b)
        { return std::tie(a.mode, a.service_tier) < std::tie(b.mode, b.service_tier); }
    );
    return tiers;
}

// Go's omitempty for the optional members.
void put_nonzero(json::object& o, std::string_view key, double v)
{
    if (v != 0)
        o[key] = v;
}

void put_true(json::object& o, std::string_view key, bool v)
{
    if (v)
        o[key] = true;
}

void put_nonempty(json::object& o, std::string_view key, const std::string& v)
{
    if (!v.empty())
        o[key] = v;
}

// A tier's members in the upstream struct's order, after its identifying members.
void put_tier_rates(json::object& o, const rate_set& r)
{
    o["prompt"] = r.prompt.per_million;
    o["completion"] = r.completion.per_million;
    o["cache"] = r.cache.per_million;
    put_nonzero(o, "cacheRead", r.cache_read.per_million);
    put_nonzero(o, "cacheCreation", r.cache_creation.per_million);
    put_true(o, "promptConfigured", r.prompt.configured);
    put_true(o, "completionConfigured", r.completion.configured);
    put_true(o, "cacheConfigured", r.cache.configured);
    put_true(o, "cacheReadConfigured", r.cache_read.configured);
    put_true(o, "cacheCreationConfigured", r.cache_creation.configured);
}

} // namespace

std::variant<price_record, price_error>
price_record_from_json(std::string_view model_id, const boost::json::value& v, std::int64_t now_ms)
{
    if (trim(model_id).empty())
        return price_error{"request_failed", "model is required"};
    const entry_reader in(model_id);
    try
    {
        const auto& o = in.object(v, "the price");
        price_record r;
        auto& rates = r.price.rates;
        rates.prompt = {in.rate(o, "prompt"), in.flag(o, "promptConfigured", true)};
        rates.completion = {in.rate(o, "completion"), in.flag(o, "completionConfigured", true)};
        // The top-level cache has no flag on the wire (model_price.hpp).
        const double cache = in.rate(o, "cache");
        rates.cache = {cache, cache > 0};
        rates.cache_read = {in.rate(o, "cacheRead"), in.flag(o, "cacheReadConfigured", false)};
        rates.cache_creation = {in.rate(o, "cacheCreation"), in.flag(o, "cacheCreationConfigured", false)};
        r.source = in.text(o, "source");
        r.source_model_id = in.text(o, "sourceModelId");
        r.raw_json = in.text(o, "rawJson");
        r.price.context_tiers = read_context_tiers(in, in.array(o, "contextTiers"));
        r.price.service_tiers = read_service_tiers(in, in.array(o, "serviceTiers"));
        if (const auto* s = o.if_contains("syncedAtMs"); s && !s->is_null())
            r.synced_at_ms = in.integer(o, "syncedAtMs");
        r.updated_at_ms = now_ms; // the server's clock, whatever was sent
        return r;
    }
    catch (const invalid& e)
    {
        return price_error{"request_failed", e.message};
    }
}

std::variant<price_records, price_error>
price_records_from_json(const boost::json::value* prices, std::int64_t now_ms)
{
    if (!prices || prices->is_null())
        return price_error{"prices_required", "prices are required"};
    if (!prices->is_object())
        return price_error{"request_failed", "invalid request body: prices must be an object"};
    price_records out;
    for (const auto& kv : prices->as_object())
    {
        auto one = price_record_from_json(kv.key(), kv.value(), now_ms);
        if (auto* e = std::get_if<price_error>(&one))
            return std::move(*e);
        out.insert_or_assign(std::string(kv.key()), std::move(std::get<price_record>(one)));
    }
    return out;
}

boost::json::object price_record_to_json(const price_record& r)
{
    const auto& rates = r.price.rates;
    json::object o;
    o["prompt"] = rates.prompt.per_million;
    o["completion"] = rates.completion.per_million;
    o["cache"] = rates.cache.per_million;
    put_nonzero(o, "cacheRead", rates.cache_read.per_million);
    put_nonzero(o, "cacheCreation", rates.cache_creation.per_million);
    // Always written, false too: see the note at the top.
    o["promptConfigured"] = rates.prompt.configured;
    o["completionConfigured"] = rates.completion.configured;
    put_true(o, "cacheReadConfigured", rates.cache_read.configured);
    put_true(o, "cacheCreationConfigured", rates.cache_creation.configured);
    put_nonempty(o, "source", r.source);
    put_nonempty(o, "sourceModelId", r.source_model_id);
    put_nonempty(o, "rawJson", r.raw_json);
    if (!r.price.context_tiers.empty())
    {
        json::array tiers;
        tiers.reserve(r.price.context_tiers.size());
        for (const auto& t : r.price.context_tiers)
        {
            json::object to;
            to["thresholdTokens"] = t.threshold_tokens;
            put_tier_rates(to, t.rates);
            tiers.push_back(std::move(to));
        }
        o["contextTiers"] = std::move(tiers);
    }
    if (!r.price.service_tiers.empty())
    {
        json::array tiers;
        tiers.reserve(r.price.service_tiers.size());
        for (const auto& t : r.price.service_tiers)
        {
            json::object to;
            to["mode"] = t.mode;
            to["serviceTier"] = t.service_tier;
            put_tier_rates(to, t.rates);
            tiers.push_back(std::move(to));
        }
        o["serviceTiers"] = std::move(tiers);
    }
    if (r.updated_at_ms != 0)
        o["updatedAtMs"] = r.updated_at_ms;
    // A pointer in the upstream: omitted only when unset.
    if (r.synced_at_ms)
        o["syncedAtMs"] = *r.synced_at_ms;
    return o;
}

boost::json::object price_records_to_json(const price_records& records)
{
    json::object o;
    o.reserve(records.size());
    for (const auto& [model, r] : records)
        o[model] = price_record_to_json(r);
    return o;
}

} // namespace cpamd::pricing
