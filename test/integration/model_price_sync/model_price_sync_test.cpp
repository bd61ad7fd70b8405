// POST /v0/management/model-prices/sync on the real daemon (spec manager-api §5.10) against a
// local price server: each source format, priority and coverage, candidates, the 502 rule,
// what is preserved, the request body's rules.

#include "sync_rig.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace cpamd::test;
namespace json = boost::json;

namespace
{

double rate(const json::object& prices, const std::string& model, const std::string& field)
{
    INFO(model << "." << field);
    REQUIRE(prices.contains(model));
    return prices.at(model).at(field).to_number<double>();
}

std::vector<std::string> names(const json::value& list)
{
    std::vector<std::string> out;
    for (const auto& v : list.as_array())
        out.emplace_back(v.is_string() ? v.as_string() : v.at("model").as_string());
    return out;
}

} // namespace

TEST_CASE(
    "models.dev: per-1M prices, context tier, fast mode; later sources not needed", "[daemon][prices][sync]"
)
{
    sync_rig rig;
    auto r = rig.sync_ok(R"({"models":["gpt-5","claude-sonnet-4-20250514"]})");
    CHECK(r.at("source") == "models.dev");
    CHECK(names(r.at("sources")) == std::vector<std::string>{"models.dev"});
    CHECK(r.at("imported") == 2);
    CHECK(r.at("skipped") == 1);
    CHECK(r.at("proxyUsed") == false);
    CHECK(r.at("candidates").as_array().empty());
    CHECK(r.at("unmatched").as_array().empty());
    const auto& results = r.at("sourceResults").as_array();
    REQUIRE(results.size() == 1); // every model covered: LiteLLM and OpenRouter are not fetched
    CHECK(results[0].at("models") == 5);
    CHECK(rig.prices.count(litellm_path) == 0);
    CHECK(rig.prices.count(openrouter_path) == 0);
    CHECK(r.at("matched").as_object().size() == 2);

    auto p = rig.stored();
    CHECK(rate(p, "gpt-5", "prompt") == 1.25);
    CHECK(rate(p, "gpt-5", "completion") == 10);
    CHECK(rate(p, "gpt-5", "cacheRead") == 0.125);
    const auto& gpt5 = p.at("gpt-5").as_object();
    CHECK(gpt5.at("source") == "models.dev");
    CHECK(gpt5.at("sourceModelId") == "openai/gpt-5");
    CHECK(gpt5.at("rawJson").as_string().find("\"experimental\"") != json::string::npos);
    CHECK(gpt5.at("syncedAtMs").as_int64() > 0);
    const auto& fast = gpt5.at("serviceTiers").at(0).as_object();
    CHECK(fast.at("mode") == "fast");
    CHECK(fast.at("serviceTier") == "priority");
    CHECK(fast.at("prompt").to_number<double>() == 2.5);
    const auto& tier = p.at("claude-sonnet-4-20250514").at("contextTiers").at(0).as_object();
    CHECK(tier.at("thresholdTokens") == 200000);
    CHECK(tier.at("prompt").to_number<double>() == 6);
    CHECK(tier.at("completion").to_number<double>() == 22.5);
    // The answer carries the whole table after the write.
    auto again = rig.sync_ok(R"({"models":["gpt-5"]})");
    CHECK(again.at("prices") == json::value(rig.stored()));
}

TEST_CASE("LiteLLM: per-token prices become exact per-1M prices", "[daemon][prices][sync]")
{
    sync_rig rig;
    rig.fail(models_dev_path);
    auto r = rig.sync_ok(R"({"models":["claude-3-7-sonnet-20250219","gemini-2.5-pro","gpt-4.1"]})");
    CHECK(r.at("source") == "litellm");
    const auto& results = r.at("sourceResults").as_array();
    REQUIRE(results.size() == 2);
    CHECK(results[0].at("source") == "models.dev");
    CHECK(results[0].at("error").as_string().find("500") != json::string::npos);
    CHECK(results[1].at("models") == 4);
    CHECK(results[1].at("skipped") == 2);
    CHECK_FALSE(results[1].as_object().contains("error"));

    auto p = rig.stored();
    CHECK(rate(p, "claude-3-7-sonnet-20250219", "prompt") == 3);
    CHECK(rate(p, "claude-3-7-sonnet-20250219", "completion") == 15);
    CHECK(rate(p, "claude-3-7-sonnet-20250219", "cacheRead") == 0.3);
    CHECK(rate(p, "claude-3-7-sonnet-20250219", "cacheCreation") == 3.75);
    CHECK(rate(p, "gpt-4.1", "prompt") == 2);
    CHECK(rate(p, "gpt-4.1", "cacheRead") == 0.5);
    CHECK(p.at("gpt-4.1").at("serviceTiers").at(0).at("completion").to_number<double>() == 14);
    const auto& tier = p.at("gemini-2.5-pro").at("contextTiers").at(0).as_object();
    CHECK(tier.at("thresholdTokens") == 200000);
    CHECK(tier.at("prompt").to_number<double>() == 2.5);
    CHECK(p.at("gemini-2.5-pro").at("source") == "litellm");
}

TEST_CASE("OpenRouter: decimal strings per token", "[daemon][prices][sync]")
{
    sync_rig rig;
    rig.fail(models_dev_path);
    rig.fail(litellm_path);
    auto r = rig.sync_ok(R"({"models":["grok-4","deepseek-chat-v3.1"]})");
    CHECK(r.at("source") == "openrouter");
    CHECK(r.at("imported") == 2);
    auto p = rig.stored();
    CHECK(rate(p, "grok-4", "prompt") == 3);
    CHECK(rate(p, "grok-4", "completion") == 15);
    CHECK(rate(p, "grok-4", "cacheRead") == 0.75);
    CHECK(p.at("grok-4").at("sourceModelId") == "x-ai/grok-4");
    CHECK(rate(p, "deepseek-chat-v3.1", "prompt") == 0.2);
    CHECK(rate(p, "deepseek-chat-v3.1", "completion") == 0.8);
}

TEST_CASE("several sources, fuzzy candidates and unmatched names", "[daemon][prices][sync]")
{
    sync_rig rig;
    auto r = rig.sync_ok(
        R"({"models":["gpt-5"," gpt-4.1 ","grok-4","gpt-5","gpt-5-codex","nothing-like-this-at-all",""]})"
    );
    CHECK(r.at("source") == "multi");
    CHECK(names(r.at("sources")) == std::vector<std::string>{"models.dev", "litellm", "openrouter"});
    CHECK(r.at("imported") == 3);
    CHECK(r.at("skipped") == 1 + 2 + 2);
    CHECK(names(r.at("unmatched")) == std::vector<std::string>{"nothing-like-this-at-all"});
    REQUIRE(names(r.at("candidates")) == std::vector<std::string>{"gpt-5-codex"});
    const auto& cands = r.at("candidates").at(0).at("candidates").as_array();
    REQUIRE_FALSE(cands.empty());
    for (const auto& c : cands)
    {
        CHECK(c.at("score").to_number<double>() >= 0.55);
        CHECK_FALSE(c.at("reason").as_string().empty());
        CHECK(c.at("price").at("prompt").to_number<double>() > 0);
    }
    CHECK(cands.size() <= 3 * 8);
    auto p = rig.stored();
    CHECK(p.at("gpt-5").at("source") == "models.dev");
    CHECK(p.at("gpt-4.1").at("source") == "litellm");
    CHECK(p.at("grok-4").at("source") == "openrouter");
    CHECK_FALSE(p.contains("gpt-5-codex")); // a candidate is a proposal, not a price
}

TEST_CASE("without a list every unambiguous model is imported", "[daemon][prices][sync]")
{
    sync_rig rig;
    auto r = rig.sync_ok("");
    CHECK(r.at("source") == "multi");
    // models.dev: gpt-5, gpt-5-mini, gpt-4o, claude-sonnet-4-20250514; LiteLLM: 4 keys; OpenRouter: 3 ids.
    CHECK(r.at("imported") == 11);
    auto p = rig.stored();
    CHECK(p.at("gpt-5").at("source") == "models.dev");
    CHECK(p.at("azure/gpt-4.1").at("source") == "litellm");
    CHECK(p.at("x-ai/grok-4").at("source") == "openrouter");
    CHECK(rate(p, "openai/gpt-5", "prompt") == 1.25);
}

TEST_CASE("every source failing: 502 and the table unchanged", "[daemon][prices][sync]")
{
    sync_rig rig;
    rig.sync_ok(R"({"models":["gpt-5","gpt-4.1"]})");
    auto before = rig.stored();
    REQUIRE(before.size() == 2);
    rig.fail(models_dev_path);
    rig.prices.set(litellm_path, {200, "<html>not json</html>"});
    rig.prices.set(openrouter_path, {200, R"({"data":[]})"});
    for (const auto* body : {R"({"models":["gpt-5"]})", "{}"})
    {
        auto r = rig.sync(body);
        CHECK(r.status == 502);
        auto e = json::parse(r.body);
        CHECK(e.at("code") == "model_price_sync_failed");
        const std::string msg(e.at("error").as_string());
        CHECK(msg.starts_with("model price sync failed; existing prices were not changed: models.dev: GET "));
        CHECK(msg.find("500 Internal Server Error") != std::string::npos);
        CHECK(msg.find("litellm: litellm: invalid JSON") != std::string::npos);
        CHECK(
            msg.find("openrouter: openrouter: the model list contained no usable prices") != std::string::npos
        );
    }
    CHECK(rig.stored() == before);
}

TEST_CASE("manual prices and prices of a failed source are preserved", "[daemon][prices][sync]")
{
    sync_rig rig;
    rig.sync_ok(R"({"models":["gpt-5"]})"); // gpt-5 from models.dev
    auto put = rig.daemon->client().request(
        "PUT",
        "/v0/management/model-prices",
        R"({"prices":{"gpt-5":)" + json::serialize(rig.stored().at("gpt-5")) +
            R"(,"grok-4":{"prompt":9,"completion":9,"cache":0,"source":"manual"}}})",
        sync_headers()
    );
    REQUIRE(put.status == 200);

    rig.fail(models_dev_path);
    auto r = rig.sync_ok(R"({"models":["gpt-5","grok-4","gpt-4.1"]})");
    CHECK(names(r.at("preserved")) == std::vector<std::string>{"gpt-5", "grok-4"});
    CHECK(r.at("imported") == 1);
    CHECK(r.at("matched").as_object().contains("gpt-4.1"));
    CHECK_FALSE(r.at("matched").as_object().contains("gpt-5"));
    auto p = rig.stored();
    CHECK(p.at("gpt-5").at("source") == "models.dev"); // not downgraded to OpenRouter's listing
    CHECK(rate(p, "grok-4", "prompt") == 9);
    CHECK(p.at("gpt-4.1").at("source") == "litellm");
}

TEST_CASE("sources can be switched off and chosen per request", "[daemon][prices][sync]")
{
    sync_rig rig(std::map<std::string, std::string>{{"CPAMD_PRICES_MODELS_DEV_URL", "off"}});
    auto r = rig.sync_ok(R"({"models":["gpt-5"]})");
    CHECK(r.at("source") == "multi"); // both answered; OpenRouter priced it (LiteLLM has no gpt-5)
    CHECK(names(r.at("sources")) == std::vector<std::string>{"litellm", "openrouter"});
    CHECK(rig.stored().at("gpt-5").at("source") == "openrouter");
    CHECK(rig.prices.count(models_dev_path) == 0);
    auto only = rig.sync_ok(R"({"models":["gpt-4.1"],"source":"litellm"})");
    CHECK(names(only.at("sources")) == std::vector<std::string>{"litellm"});
    CHECK(only.at("sourceResults").as_array().size() == 1);
}

TEST_CASE("request body rules and admin auth", "[daemon][prices][sync]")
{
    sync_rig rig;
    for (const auto* body :
         {"[1]",
          "{not json",
          R"({"models":"gpt-5"})",
          R"({"models":[1]})",
          R"({"source":7})",
          R"({"source":"elsewhere"})"})
    {
        INFO(body);
        auto r = rig.sync(body);
        CHECK(r.status == 400);
        auto e = json::parse(r.body);
        CHECK(e.at("code") == "request_failed");
        CHECK(e.at("error").as_string().starts_with("invalid request body: "));
    }
    CHECK(rig.prices.requests().empty());
    auto c = rig.daemon->client();
    auto anon =
        c.request("POST", "/v0/management/model-prices/sync", "{}", {{"Content-Type", "application/json"}});
    CHECK(anon.status == 401);
    CHECK(json::parse(anon.body).at("code") == "invalid_admin_key");
    CHECK(c.request("GET", "/v0/management/model-prices/sync", {}, sync_headers()).status == 405);
}
