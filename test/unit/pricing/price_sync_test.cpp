// The sync's decisions (pricing/price_sync.hpp): source priority, coverage, the no-list mode,
// what is preserved, and the answer's shape.

#include "source_fixtures.hpp"

#include <catch2/catch.hpp>
#include <cpamd/pricing/price_sync.hpp>

using namespace cpamd::pricing;
namespace fx = cpamd::test::fixtures;

namespace
{

constexpr std::int64_t now = 1'780'000'000'000;

fetched_source ok(std::string_view name, const source_parse& p)
{
    REQUIRE(p.catalog);
    return {std::string(name), p.catalog, {}};
}

fetched_source failed(std::string_view name, std::string why = "GET x: 503 Service Unavailable")
{
    return {std::string(name), std::nullopt, std::move(why)};
}

price_record stored(std::string source, double prompt)
{
    price_record r;
    r.source = std::move(source);
    r.price.rates.prompt = {prompt, true};
    r.price.rates.completion = {prompt, true};
    r.updated_at_ms = 1;
    return r;
}

} // namespace

TEST_CASE("each model takes the first source with a unique match", "[pricing][sync]")
{
    sync_session s({"gpt-5", "gpt-4.1", "grok-4", "claude-3-7-sonnet-20250219"}, now);
    s.add(ok(source_models_dev, parse_models_dev(fx::models_dev_catalog)));
    s.add(ok(source_litellm, parse_litellm(fx::litellm_prices)));
    s.add(ok(source_openrouter, parse_openrouter(fx::openrouter_models)));
    auto sel = s.select();
    CHECK(sel.unmatched.empty());
    CHECK(sel.candidates.empty());
    REQUIRE(sel.records.size() == 4);

    const auto& gpt5 = sel.records.at("gpt-5");
    CHECK(gpt5.source == "models.dev"); // official listing beats azure's
    CHECK(gpt5.source_model_id == "openai/gpt-5");
    CHECK(gpt5.price.rates.prompt.per_million == 1.25);
    CHECK(gpt5.updated_at_ms == now);
    CHECK(gpt5.synced_at_ms == now);
    CHECK_FALSE(gpt5.raw_json.empty());

    CHECK(sel.records.at("gpt-4.1").source == "litellm");
    CHECK(sel.records.at("gpt-4.1").source_model_id == "gpt-4.1");
    CHECK(sel.records.at("grok-4").source == "openrouter");
    CHECK(sel.records.at("grok-4").price.rates.prompt.per_million == 3);
    CHECK(sel.records.at("claude-3-7-sonnet-20250219").price.rates.prompt.per_million == 3);
    CHECK(s.succeeded() == std::vector<std::string>{"models.dev", "litellm", "openrouter"});
    CHECK(s.skipped() == 1 + 2 + 2);
}

TEST_CASE("an ambiguous name falls through to the next source", "[pricing][sync]")
{
    // api.json has no canonical map: two listings of gpt-5 with different prices stay ambiguous.
    auto dev = parse_models_dev(R"({"openai":{"models":{"gpt-5":{"cost":{"input":1.25,"output":10}}}},
                                   "azure":{"models":{"gpt-5":{"cost":{"input":1.375,"output":11}}}}})");
    sync_session s({"gpt-5"}, now);
    s.add(ok(source_models_dev, dev));
    CHECK_FALSE(s.covered());
    s.add(ok(source_openrouter, parse_openrouter(fx::openrouter_models)));
    CHECK(s.covered());
    CHECK(s.select().records.at("gpt-5").source == "openrouter");

    // Only models.dev: the two listings are the candidates.
    sync_session alone({"gpt-5"}, now);
    alone.add(ok(source_models_dev, dev));
    auto sel = alone.select();
    CHECK(sel.records.empty());
    REQUIRE(sel.candidates.size() == 1);
    CHECK(sel.candidates[0].model == "gpt-5");
    CHECK(sel.candidates[0].candidates.size() == 2);
    CHECK(sel.candidates[0].candidates[0].price.source == "models.dev");
    CHECK(sel.candidates[0].candidates[0].price.raw_json.empty()); // kept small
}

TEST_CASE("coverage stops the fetch only when every listed model is matched", "[pricing][sync]")
{
    sync_session s({"gpt-5", "grok-4"}, now);
    s.add(ok(source_models_dev, parse_models_dev(fx::models_dev_catalog)));
    CHECK_FALSE(s.covered());
    s.add(failed(source_litellm));
    CHECK_FALSE(s.covered());
    s.add(ok(source_openrouter, parse_openrouter(fx::openrouter_models)));
    CHECK(s.covered());

    sync_session all({}, now);
    all.add(ok(source_models_dev, parse_models_dev(fx::models_dev_catalog)));
    CHECK_FALSE(all.covered()); // without a list every source is read
}

TEST_CASE("candidates and unmatched names", "[pricing][sync]")
{
    sync_session s({"gpt-5-codex", "totally-unknown-model"}, now);
    s.add(ok(source_models_dev, parse_models_dev(fx::models_dev_catalog)));
    s.add(ok(source_openrouter, parse_openrouter(fx::openrouter_models)));
    auto sel = s.select();
    CHECK(sel.records.empty());
    REQUIRE(sel.candidates.size() == 1);
    CHECK(sel.candidates[0].model == "gpt-5-codex");
    bool from_each = false, from_dev = false;
    for (const auto& c : sel.candidates[0].candidates)
    {
        CHECK(c.score >= 0.55);
        from_dev |= c.price.source == "models.dev";
        from_each |= c.price.source == "openrouter";
    }
    CHECK(from_dev);
    CHECK(from_each);
    CHECK(sel.unmatched == std::vector<std::string>{"totally-unknown-model"});
}

TEST_CASE("without a list: every unambiguous entry under its import name", "[pricing][sync]")
{
    sync_session s({}, now);
    s.add(ok(source_models_dev, parse_models_dev(fx::models_dev_catalog)));
    s.add(ok(source_litellm, parse_litellm(fx::litellm_prices)));
    auto sel = s.select();
    CHECK(sel.records.at("gpt-5").source == "models.dev");
    CHECK(sel.records.at("gpt-5-mini").price.rates.prompt.per_million == 0.25);
    CHECK(sel.records.at("gpt-4o").source == "models.dev"); // one listing (azure)
    CHECK(sel.records.at("claude-sonnet-4-20250514").price.context_tiers.size() == 1);
    CHECK(sel.records.at("gpt-4.1").source == "litellm");
    CHECK(sel.records.at("azure/gpt-4.1").price.rates.prompt.per_million == 2.2);
    CHECK(sel.records.count("openai/gpt-5") == 0); // models.dev ids lose their provider
    CHECK(sel.candidates.empty());
    CHECK(sel.unmatched.empty());
}

TEST_CASE("failed sources do not downgrade, manual prices are never overwritten", "[pricing][sync]")
{
    sync_session s({"gpt-5", "grok-4", "gpt-4.1", "claude-3-7-sonnet-20250219"}, now);
    s.add(failed(source_models_dev));
    s.add(ok(source_litellm, parse_litellm(fx::litellm_prices)));
    s.add(ok(source_openrouter, parse_openrouter(fx::openrouter_models)));
    auto sel = s.select();
    REQUIRE(sel.records.count("gpt-5")); // openrouter offers one

    price_records rows;
    rows["gpt-5"] = stored("models.dev", 1);     // its source failed: keep, not openrouter's
    rows["gpt-4.1"] = stored("manual", 9);       // set by hand
    rows["grok-4"] = stored("litellm", 2);       // litellm answered: openrouter may replace it
    rows["not-asked"] = stored("models.dev", 5); // outside the list: untouched, not reported
    auto w = plan_write(sel, s.source_results(), rows, s.models());
    CHECK(w.preserved == std::vector<std::string>{"gpt-4.1", "gpt-5"});
    CHECK(w.upserts.count("gpt-5") == 0);
    CHECK(w.upserts.count("gpt-4.1") == 0);
    CHECK(w.upserts.at("grok-4").source == "openrouter");
    CHECK(w.upserts.at("claude-3-7-sonnet-20250219").source == "litellm");

    // A higher-priority source replacing a failed lower one is an upgrade, not a downgrade.
    sync_session up({"gpt-5"}, now);
    up.add(ok(source_models_dev, parse_models_dev(fx::models_dev_catalog)));
    up.add(failed(source_openrouter));
    price_records was;
    was["gpt-5"] = stored("openrouter", 1);
    auto w2 = plan_write(up.select(), up.source_results(), was, up.models());
    CHECK(w2.preserved.empty());
    CHECK(w2.upserts.at("gpt-5").source == "models.dev");
}

TEST_CASE("every source failing gives the 502 message", "[pricing][sync]")
{
    sync_session s({}, now);
    s.add(failed(source_models_dev, "GET https://models.dev/catalog.json: connect: Connection refused"));
    s.add(failed(source_litellm, "litellm: invalid JSON: syntax error"));
    CHECK_FALSE(s.any_succeeded());
    CHECK(
        s.failure_message() == "model price sync failed; existing prices were not changed: models.dev: GET "
                               "https://models.dev/catalog.json: connect: Connection refused; litellm: "
                               "litellm: invalid JSON: syntax error"
    );
    CHECK(sync_session({}, now).failure_message().ends_with("no price sync sources configured"));
}

TEST_CASE("the answer: source names, counts, lists, prices", "[pricing][sync]")
{
    CHECK(report_source({}).empty());
    CHECK(report_source({"litellm"}) == "litellm");
    CHECK(report_source({"models.dev", "openrouter"}) == "multi");

    sync_report r;
    r.sources = {"models.dev", "litellm"};
    r.imported = 1;
    r.skipped = 3;
    r.matched["gpt-5"] = stored("models.dev", 1.25);
    r.candidates = {
        {"gpt-5-codex", {{"openai/gpt-5", 0.78, "name-contains", stored("models.dev", 1.25)}}},
        {"now-priced", {{"x", 0.6, "similar-name", stored("litellm", 1)}}}};
    r.unmatched = {"nothing-like-it", "now-priced-too"};
    r.preserved = {"manual-one"};
    r.proxy_used = true;
    r.source_results = {{"models.dev", 5, 1, ""}, {"litellm", 0, 0, "GET x: 500 Internal Server Error"}};
    price_records prices;
    prices["gpt-5"] = stored("models.dev", 1.25);
    prices["now-priced"] = stored("manual", 1);
    prices["now-priced-too"] = stored("manual", 1);

    auto o = sync_report_to_json(r, prices);
    CHECK(o.at("source") == "multi");
    CHECK(o.at("sources").as_array().size() == 2);
    CHECK(o.at("imported") == 1);
    CHECK(o.at("skipped") == 3);
    CHECK(o.at("matched").as_object().contains("gpt-5"));
    REQUIRE(o.at("candidates").as_array().size() == 1); // now-priced needs no decision any more
    const auto& set = o.at("candidates").at(0).as_object();
    CHECK(set.at("model") == "gpt-5-codex");
    const auto& cand = set.at("candidates").at(0).as_object();
    CHECK(cand.at("sourceModelId") == "openai/gpt-5");
    CHECK(cand.at("score") == 0.78);
    CHECK(cand.at("reason") == "name-contains");
    CHECK(cand.at("price").as_object().at("prompt") == 1.25);
    CHECK(o.at("unmatched").as_array() == boost::json::array{"nothing-like-it"});
    CHECK(o.at("preserved").as_array() == boost::json::array{"manual-one"});
    CHECK(o.at("proxyUsed") == true);
    const auto& results = o.at("sourceResults").as_array();
    CHECK_FALSE(results.at(0).as_object().contains("error"));
    CHECK(results.at(1).at("error") == "GET x: 500 Internal Server Error");
    CHECK(results.at(0).at("models") == 5);
    CHECK(o.at("prices").as_object().size() == 3);
}
