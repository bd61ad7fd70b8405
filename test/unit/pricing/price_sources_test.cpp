// The three price source parsers (pricing/price_sources.hpp): shapes, unit conversion, tiers,
// what is skipped and what makes a whole document unusable.

#include "source_fixtures.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cpamd/pricing/price_sources.hpp>

using namespace cpamd::pricing;
namespace fx = cpamd::test::fixtures;

namespace
{

const source_model& find(const source_catalog& c, const std::string& id)
{
    auto it =
        std::find_if(c.models.begin(), c.models.end(), [&](const source_model& m) { return m.id == id; });
    REQUIRE(it != c.models.end());
    return *it;
}

bool has(const source_catalog& c, const std::string& id)
{
    return std::any_of(c.models.begin(), c.models.end(), [&](const source_model& m) { return m.id == id; });
}

} // namespace

TEST_CASE("per_million turns per-token decimals into exact per-1M prices", "[pricing][sources]")
{
    // The binary noise this exists for: 0.0000002 x 1e6 = 0.19999999999999998.
    CHECK(0.0000002 * 1e6 != 0.2);
    CHECK(2.19e-06 * 1e6 != 2.19);
    CHECK(per_million(0.0000002) == 0.2);
    CHECK(per_million(2.19e-06) == 2.19);
    CHECK(per_million(0.000003) == 3.0);
    CHECK(per_million(0.000015) == 15.0);
    CHECK(per_million(3.75e-06) == 3.75);
    CHECK(per_million(1.25e-07) == 0.125);
    CHECK(per_million(2.5e-10) == 0.00025);
    CHECK(per_million(0) == 0);
    CHECK(round_price(0.31) == 0.31);
    CHECK(round_price(1.0 / 3.0) == 0.333333333333);
}

TEST_CASE("models.dev catalog.json: per-1M prices, providers, canonical listings", "[pricing][sources]")
{
    auto r = parse_models_dev(fx::models_dev_catalog);
    REQUIRE(r.error.empty());
    REQUIRE(r.catalog);
    const auto& c = *r.catalog;
    CHECK(c.models.size() == 5);
    CHECK(c.skipped == 1); // gpt-image-1 has no cost

    const auto& gpt5 = find(c, "openai/gpt-5");
    CHECK(gpt5.provider == "openai");
    CHECK(gpt5.official);
    CHECK(std::find(gpt5.aliases.begin(), gpt5.aliases.end(), "gpt-5") != gpt5.aliases.end());
    CHECK(gpt5.price.rates.prompt.per_million == 1.25);
    CHECK(gpt5.price.rates.prompt.configured);
    CHECK(gpt5.price.rates.completion.per_million == 10);
    CHECK(gpt5.price.rates.cache_read.per_million == 0.125);
    CHECK(gpt5.price.rates.cache_read.configured);
    CHECK(gpt5.price.rates.cache.per_million == 0.125); // the legacy rate mirrors cache reads
    CHECK_FALSE(gpt5.price.rates.cache_creation.configured);
    REQUIRE(gpt5.price.service_tiers.size() == 1);
    CHECK(gpt5.price.service_tiers[0].mode == "fast");
    CHECK(gpt5.price.service_tiers[0].service_tier == "priority");
    CHECK(gpt5.price.service_tiers[0].rates.prompt.per_million == 2.5);
    CHECK(gpt5.price.service_tiers[0].rates.completion.per_million == 20);
    CHECK(gpt5.raw_json.find("\"experimental\"") != std::string::npos);
    CHECK(gpt5.raw_json.find('\n') == std::string::npos);

    CHECK_FALSE(find(c, "azure/gpt-5").official);
    const auto& claude = find(c, "anthropic/claude-sonnet-4-20250514");
    CHECK(claude.price.rates.cache_creation.per_million == 3.75);
    REQUIRE(claude.price.context_tiers.size() == 1);
    const auto& tier = claude.price.context_tiers[0];
    CHECK(tier.threshold_tokens == 200000);
    CHECK(tier.rates.prompt.per_million == 6);
    CHECK(tier.rates.completion.per_million == 22.5);
    CHECK(tier.rates.cache_read.per_million == 0.6);
    CHECK(tier.rates.cache.configured);
    CHECK(tier.rates.cache_creation.per_million == 7.5);
}

TEST_CASE("models.dev api.json and the bundled catalog's flat shape parse the same way", "[pricing][sources]")
{
    auto api = parse_models_dev(R"({"openai":{"id":"openai","models":{"o3":{"cost":{"input":2,"output":8}}}},
                                    "xai":{"models":{"grok-4":{"cost":{"input":3,"output":15,"cache_read":0.75}}}}})"
    );
    REQUIRE(api.catalog);
    CHECK(api.catalog->models.size() == 2);
    CHECK(find(*api.catalog, "openai/o3").price.rates.completion.per_million == 8);
    CHECK_FALSE(find(*api.catalog, "openai/o3").official); // no canonical map in api.json

    auto flat = parse_models_dev(R"({"source":"x","date":"2025-09-11","models":{
        "gpt-4.1":{"id":"gpt-4.1","provider":"openai","cost":{"input":2,"output":8,"cache_read":0.5}},
        "unpriced":{"id":"unpriced","provider":"x"}}})");
    REQUIRE(flat.catalog);
    CHECK(flat.catalog->models.size() == 1);
    CHECK(flat.catalog->skipped == 1);
    const auto& m = find(*flat.catalog, "gpt-4.1");
    CHECK(m.provider == "openai");
    CHECK(m.price.rates.cache_read.per_million == 0.5);
}

TEST_CASE("models.dev: a malformed context tier drops the tiers, not the price", "[pricing][sources]")
{
    auto r = parse_models_dev(R"({"p":{"models":{
        "a":{"cost":{"input":1,"output":2,"tiers":[{"tier":{"type":"context","size":0},"input":2}]}},
        "b":{"cost":{"input":1,"output":2,"tiers":[{"tier":{"type":"context","size":1000},"input":2},
                                                   {"tier":{"type":"context","size":1000},"input":3}]}},
        "c":{"cost":{"input":1,"output":2,"tiers":[{"tier":{"type":"batch"},"input":0.5},
                                                   {"tier":{"type":"context","size":128000},"output":4},
                                                   {"tier":{"type":"CONTEXT","size":64000},"input":1.5}]}}}}})"
    );
    REQUIRE(r.catalog);
    CHECK(find(*r.catalog, "p/a").price.context_tiers.empty());
    CHECK(find(*r.catalog, "p/b").price.context_tiers.empty()); // duplicate threshold
    const auto& c = find(*r.catalog, "p/c").price.context_tiers;
    REQUIRE(c.size() == 2); // the batch tier is not a context tier; sorted by threshold
    CHECK(c[0].threshold_tokens == 64000);
    CHECK(c[0].rates.prompt.configured);
    CHECK_FALSE(c[0].rates.completion.configured);
    CHECK(c[1].threshold_tokens == 128000);
    CHECK(c[1].rates.completion.per_million == 4);
}

TEST_CASE("LiteLLM: per-token prices x1e6, 200k tiers, priority tier, skipped entries", "[pricing][sources]")
{
    auto r = parse_litellm(fx::litellm_prices);
    REQUIRE(r.error.empty());
    REQUIRE(r.catalog);
    const auto& c = *r.catalog;
    CHECK(c.models.size() == 4);
    CHECK(c.skipped == 2); // dall-e-3 (no token price), broken-model (negative)
    CHECK_FALSE(has(c, "sample_spec"));

    const auto& claude = find(c, "claude-3-7-sonnet-20250219");
    CHECK(claude.price.rates.prompt.per_million == 3);
    CHECK(claude.price.rates.completion.per_million == 15);
    CHECK(claude.price.rates.cache_read.per_million == 0.3);
    CHECK(claude.price.rates.cache_creation.per_million == 3.75);
    CHECK(claude.price.rates.cache_creation.configured);

    const auto& gemini = find(c, "gemini-2.5-pro");
    REQUIRE(gemini.price.context_tiers.size() == 1);
    CHECK(gemini.price.context_tiers[0].threshold_tokens == 200000);
    CHECK(gemini.price.context_tiers[0].rates.prompt.per_million == 2.5);
    CHECK(gemini.price.context_tiers[0].rates.completion.per_million == 15);
    CHECK_FALSE(gemini.price.context_tiers[0].rates.cache_read.configured);

    const auto& gpt = find(c, "gpt-4.1");
    REQUIRE(gpt.price.service_tiers.size() == 1);
    CHECK(gpt.price.service_tiers[0].service_tier == "priority");
    CHECK(gpt.price.service_tiers[0].rates.prompt.per_million == 3.5);
    CHECK(gpt.price.service_tiers[0].rates.completion.per_million == 14);
    CHECK(gpt.raw_json.find("\"litellm_provider\":\"openai\"") != std::string::npos);
    CHECK(gpt.raw_json.find("E-") == std::string::npos); // Go's number format, not Boost's
    CHECK(find(c, "azure/gpt-4.1").price.rates.prompt.per_million == 2.2);
}

TEST_CASE("LiteLLM: thresholds in k and m, alternative cache field names", "[pricing][sources]")
{
    auto r = parse_litellm(R"({"m":{"input_cost_per_token":1e-06,"output_cost_per_token":2e-06,
        "input_cost_per_token_above_128k_tokens":2e-06,"output_cost_per_token_above_1m_tokens":8e-06,
        "input_cache_read":1e-07,"input_cache_write":1.25e-06}})");
    REQUIRE(r.catalog);
    const auto& p = r.catalog->models.at(0).price;
    REQUIRE(p.context_tiers.size() == 2);
    CHECK(p.context_tiers[0].threshold_tokens == 128000);
    CHECK(p.context_tiers[1].threshold_tokens == 1000000);
    CHECK(p.context_tiers[1].rates.completion.per_million == 8);
    CHECK(p.rates.cache_read.per_million == 0.1);
    CHECK(p.rates.cache_creation.per_million == 1.25);
}

TEST_CASE(
    "OpenRouter: decimal strings x1e6, router entries skipped, canonical slug alias", "[pricing][sources]"
)
{
    auto r = parse_openrouter(fx::openrouter_models);
    REQUIRE(r.error.empty());
    REQUIRE(r.catalog);
    const auto& c = *r.catalog;
    CHECK(c.models.size() == 3);
    CHECK(c.skipped == 2);
    const auto& gpt = find(c, "openai/gpt-5");
    CHECK(gpt.price.rates.prompt.per_million == 1.25);
    CHECK(gpt.price.rates.completion.per_million == 10);
    CHECK(gpt.price.rates.cache_read.per_million == 0.125);
    CHECK(gpt.aliases == std::vector<std::string>{"openai/gpt-5-2025-08-07"});
    const auto& grok = find(c, "x-ai/grok-4");
    CHECK(grok.price.rates.prompt.per_million == 3);
    CHECK(grok.price.rates.completion.per_million == 15);
    CHECK(grok.price.rates.cache_read.per_million == 0.75);
    CHECK(find(c, "deepseek/deepseek-chat-v3.1").price.rates.prompt.per_million == 0.2);
}

TEST_CASE("a document that is not a price list fails the source with a reason", "[pricing][sources]")
{
    CHECK(parse_models_dev("not json").error.starts_with("models.dev: invalid JSON"));
    CHECK(parse_models_dev("[]").error == "models.dev: expected a JSON object");
    CHECK(parse_models_dev("{}").error == "models.dev: the catalog contained no usable prices");
    CHECK(parse_litellm("{\"a\":1}").error == "litellm: the price list contained no usable prices");
    CHECK(parse_litellm("").error.starts_with("litellm: invalid JSON"));
    CHECK(parse_openrouter("{\"data\":{}}").error == "openrouter: expected {\"data\":[...]}");
    CHECK(parse_openrouter("{\"data\":[]}").error == "openrouter: the model list contained no usable prices");
    CHECK_FALSE(parse_openrouter("{\"data\":[]}").catalog);
    // Nesting beyond the parser's depth limit is an error, not a crash.
    CHECK_FALSE(parse_litellm(std::string(10000, '[')).error.empty());
}
