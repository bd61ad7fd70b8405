// libFuzzer entry point for the three price source parsers (models.dev, LiteLLM, OpenRouter) and
// the model matcher over what they return. Also linked into a plain g++ replay test
// (test/unit/pricing) so the same checks run without clang.
//
// Properties: no crash or sanitizer report on any input; either a catalog with at least one
// model or an error, never both; every rate is finite and >= 0; context tiers are sorted with
// positive, distinct thresholds; service tiers name a mode and a tier; rawJson is JSON; matching
// any name gives a unique match inside the catalog or at most 8 candidates scored 0.55..1.

#include <boost/json/parse.hpp>
#include <cmath>
#include <cpamd/pricing/model_matching.hpp>
#include <cpamd/pricing/price_sources.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace
{

using namespace cpamd::pricing;

void require(bool ok)
{
    if (!ok)
        std::abort();
}

void check_rates(const rate_set& r)
{
    for (const rate* x : {&r.prompt, &r.completion, &r.cache, &r.cache_read, &r.cache_creation})
        require(std::isfinite(x->per_million) && x->per_million >= 0);
}

void check_catalog(const source_parse& p)
{
    require(p.catalog.has_value() != !p.error.empty());
    if (!p.catalog)
        return;
    const auto& c = *p.catalog;
    require(!c.models.empty());
    for (const auto& m : c.models)
    {
        require(!m.id.empty());
        check_rates(m.price.rates);
        std::int64_t last = 0;
        for (const auto& t : m.price.context_tiers)
        {
            require(t.threshold_tokens > last);
            last = t.threshold_tokens;
            check_rates(t.rates);
        }
        for (const auto& s : m.price.service_tiers)
        {
            require(!s.mode.empty() && !s.service_tier.empty());
            check_rates(s.rates);
        }
        boost::system::error_code ec;
        boost::json::parse(m.raw_json, ec);
        require(!ec);
    }
    model_matcher mm(c);
    for (std::string_view name :
         {std::string_view(c.models.front().id), std::string_view("gpt-5"), std::string_view("")})
    {
        auto id = mm.identify(name);
        if (id.unique)
        {
            require(*id.unique < c.models.size());
            continue;
        }
        auto cands = mm.candidates(name);
        require(cands.size() <= model_matcher::max_candidates);
        for (const auto& k : cands)
            require(k.index < c.models.size() && k.score >= model_matcher::min_score - 0.01 && k.score <= 1);
    }
    // The entry's own id always finds an entry (itself, or one with the same price).
    require(
        mm.identify(c.models.front().id).unique.has_value() ||
        !mm.identify(c.models.front().id).ambiguous.empty()
    );
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view input(reinterpret_cast<const char*>(data), size);
    check_catalog(parse_models_dev(input));
    check_catalog(parse_litellm(input));
    check_catalog(parse_openrouter(input));
    return 0;
}
