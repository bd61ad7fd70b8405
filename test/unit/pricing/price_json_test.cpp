// The price object of manager-api §5.10: every PUT validation rule, the round trip of a full
// object with tiers, Go's omitempty, and the reading of the prompt/completion flags.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cpamd/pricing/price_json.hpp>

using namespace cpamd::pricing;
namespace json = boost::json;

namespace
{

constexpr std::int64_t now = 1'700'000'000'000;

std::variant<price_record, price_error> read(const std::string& text, std::string_view model = "gpt-5")
{
    return price_record_from_json(model, json::parse(text), now);
}

price_record ok(const std::string& text)
{
    auto r = read(text);
    if (auto* e = std::get_if<price_error>(&r))
        FAIL(e->message);
    return std::get<price_record>(r);
}

// The error of a rejected entry; fails the test if it was accepted.
price_error rejected(const std::string& text, std::string_view model = "gpt-5")
{
    auto r = read(text, model);
    REQUIRE(std::holds_alternative<price_error>(r));
    return std::get<price_error>(r);
}

void check_rejected(const std::string& text, const std::string& mentions)
{
    INFO(text);
    auto e = rejected(text);
    CHECK(e.code == "request_failed");
    CHECK_THAT(e.message, Catch::Contains("gpt-5"));
    CHECK_THAT(e.message, Catch::Contains(mentions));
}

const std::string full = R"({
  "prompt": 1.25, "completion": 10, "cache": 0.125, "cacheRead": 0.1, "cacheCreation": 1.5,
  "promptConfigured": true, "completionConfigured": true, "cacheReadConfigured": true,
  "cacheCreationConfigured": true, "source": "models.dev", "sourceModelId": "openai/gpt-5",
  "rawJson": "{\"cost\":{\"input\":1.25}}",
  "contextTiers": [
    {"thresholdTokens": 272000, "prompt": 2.5, "completion": 15, "cache": 0.25, "cacheRead": 0.2,
     "cacheCreation": 3, "promptConfigured": true, "completionConfigured": true, "cacheConfigured": true,
     "cacheReadConfigured": true, "cacheCreationConfigured": true},
    {"thresholdTokens": 128000, "prompt": 2, "completion": 0, "cache": 0, "promptConfigured": true}
  ],
  "serviceTiers": [
    {"mode": "fast", "serviceTier": "priority", "prompt": 2.5, "completion": 20, "cache": 0.25,
     "promptConfigured": true, "completionConfigured": true, "cacheConfigured": true},
    {"mode": "flex", "serviceTier": "flex", "prompt": 0.625, "completion": 0, "cache": 0,
     "cacheRead": 0.05, "promptConfigured": true, "completionConfigured": true, "cacheReadConfigured": true}
  ],
  "updatedAtMs": 1, "syncedAtMs": 1690000000000
})";

} // namespace

TEST_CASE("a full price object is read into the cost function's types")
{
    auto r = ok(full);
    const auto& p = r.price;
    CHECK(p.rates.prompt.per_million == 1.25);
    CHECK(p.rates.prompt.configured);
    CHECK(p.rates.completion.per_million == 10);
    CHECK(p.rates.cache.per_million == 0.125);
    CHECK(p.rates.cache.configured); // flagless: set because non-zero
    CHECK(p.rates.cache_read.per_million == 0.1);
    CHECK(p.rates.cache_read.configured);
    CHECK(p.rates.cache_creation.per_million == 1.5);
    CHECK(r.source == "models.dev");
    CHECK(r.source_model_id == "openai/gpt-5");
    CHECK(r.raw_json == R"({"cost":{"input":1.25}})"); // kept as the string it was
    CHECK(r.updated_at_ms == now);                     // the server's clock, not the sent 1
    CHECK(r.synced_at_ms == 1690000000000);

    REQUIRE(p.context_tiers.size() == 2); // sorted by threshold
    CHECK(p.context_tiers[0].threshold_tokens == 128000);
    CHECK(p.context_tiers[0].rates.prompt.configured);
    CHECK_FALSE(p.context_tiers[0].rates.completion.configured);
    CHECK_FALSE(p.context_tiers[0].rates.cache.configured);
    CHECK(p.context_tiers[1].threshold_tokens == 272000);
    CHECK(p.context_tiers[1].rates.cache.configured);
    CHECK(p.context_tiers[1].rates.cache.per_million == 0.25);

    REQUIRE(p.service_tiers.size() == 2);
    CHECK(p.service_tiers[0].mode == "fast");
    CHECK(p.service_tiers[0].service_tier == "priority");
    CHECK(p.service_tiers[1].mode == "flex");
    CHECK(p.service_tiers[1].rates.cache_read.configured);
}

TEST_CASE("write then read gives the same record, and writing it again the same JSON")
{
    auto r = ok(full);
    auto written = price_record_to_json(r);
    auto again = price_record_from_json("gpt-5", written, now);
    REQUIRE(std::holds_alternative<price_record>(again));
    CHECK(json::serialize(price_record_to_json(std::get<price_record>(again))) == json::serialize(written));

    // The upstream struct's member order, tiers sorted.
    CHECK(
        json::serialize(written) ==
        R"({"prompt":1.25E0,"completion":1E1,"cache":1.25E-1,"cacheRead":1E-1,"cacheCreation":1.5E0,)"
        R"("promptConfigured":true,"completionConfigured":true,"cacheReadConfigured":true,)"
        R"("cacheCreationConfigured":true,"source":"models.dev","sourceModelId":"openai/gpt-5",)"
        R"("rawJson":"{\"cost\":{\"input\":1.25}}",)"
        R"("contextTiers":[{"thresholdTokens":128000,"prompt":2E0,"completion":0E0,"cache":0E0,)"
        R"("promptConfigured":true},)"
        R"({"thresholdTokens":272000,"prompt":2.5E0,"completion":1.5E1,"cache":2.5E-1,"cacheRead":2E-1,)"
        R"("cacheCreation":3E0,"promptConfigured":true,"completionConfigured":true,"cacheConfigured":true,)"
        R"("cacheReadConfigured":true,"cacheCreationConfigured":true}],)"
        R"("serviceTiers":[{"mode":"fast","serviceTier":"priority","prompt":2.5E0,"completion":2E1,)"
        R"("cache":2.5E-1,"promptConfigured":true,"completionConfigured":true,"cacheConfigured":true},)"
        R"({"mode":"flex","serviceTier":"flex","prompt":6.25E-1,"completion":0E0,"cache":0E0,"cacheRead":5E-2,)"
        R"("promptConfigured":true,"completionConfigured":true,"cacheReadConfigured":true}],)"
        R"("updatedAtMs":1700000000000,"syncedAtMs":1690000000000})"
    );

    // A map of records keeps its keys in byte order.
    price_records all;
    all["b"] = r;
    all["a"] = r;
    auto o = price_records_to_json(all);
    REQUIRE(o.size() == 2);
    CHECK(o.begin()->key() == "a");
}

TEST_CASE("omitempty: zero rates, false flags, empty strings and tiers are left out")
{
    auto r = ok(R"({"prompt":0,"completion":0,"cache":0})");
    r.updated_at_ms = 0;
    auto o = price_record_to_json(r);
    // prompt, completion and cache always; the two legacy flags always (see price_json.cpp).
    CHECK(
        json::serialize(o) ==
        R"({"prompt":0E0,"completion":0E0,"cache":0E0,"promptConfigured":true,"completionConfigured":true})"
    );
    CHECK_FALSE(o.contains("syncedAtMs")); // unset
    r.synced_at_ms = 0;
    CHECK(price_record_to_json(r).contains("syncedAtMs")); // a pointer upstream: set means sent
}

TEST_CASE("promptConfigured and completionConfigured: missing reads true, false is kept and written")
{
    auto legacy = ok(R"({"prompt":3,"completion":15,"cache":0.3})");
    CHECK(legacy.price.rates.prompt.configured);
    CHECK(legacy.price.rates.completion.configured);
    CHECK_FALSE(legacy.price.rates.cache_read.configured);
    CHECK_FALSE(legacy.price.rates.cache_creation.configured);

    auto off =
        ok(R"({"prompt":0,"completion":15,"cache":0,"promptConfigured":false,"completionConfigured":null})");
    CHECK_FALSE(off.price.rates.prompt.configured);
    CHECK(off.price.rates.completion.configured);
    CHECK_FALSE(off.price.rates.cache.configured); // cache 0: unset
    auto o = price_record_to_json(off);
    CHECK(o.at("promptConfigured") == false);
    auto back = price_record_from_json("m", o, now);
    REQUIRE(std::holds_alternative<price_record>(back));
    CHECK_FALSE(std::get<price_record>(back).price.rates.prompt.configured);
}

TEST_CASE("every validation rule rejects the entry with request_failed naming the model and field")
{
    // The model id.
    auto e = rejected(R"({"prompt":1})", "");
    CHECK(e.code == "request_failed");
    CHECK(e.message == "model is required");
    CHECK(rejected(R"({"prompt":1})", "  \t").code == "request_failed");

    // Rates: negative, wrong type, overflowing to infinity, in each position.
    for (const auto* key : {"prompt", "completion", "cache", "cacheRead", "cacheCreation"})
    {
        const std::string k = key;
        check_rejected("{\"" + k + "\":-1}", k);
        check_rejected("{\"" + k + "\":\"1\"}", k);
        check_rejected("{\"" + k + "\":true}", k);
        check_rejected("{\"" + k + "\":[1]}", k);
        check_rejected("{\"" + k + "\":1e999}", k);
    }
    check_rejected(R"({"prompt":1,"promptConfigured":"yes"})", "promptConfigured");
    check_rejected(R"({"source":5})", "source");
    check_rejected(R"({"rawJson":{"a":1}})", "rawJson");
    check_rejected(R"({"syncedAtMs":"soon"})", "syncedAtMs");
    check_rejected(R"({"contextTiers":{}})", "contextTiers");
    check_rejected(R"({"serviceTiers":"fast"})", "serviceTiers");
    check_rejected(R"([1,2])", "object");

    // Context tiers.
    check_rejected(R"({"contextTiers":[{"thresholdTokens":0,"promptConfigured":true}]})", "positive");
    check_rejected(R"({"contextTiers":[{"thresholdTokens":-5,"promptConfigured":true}]})", "positive");
    check_rejected(R"({"contextTiers":[{"promptConfigured":true}]})", "positive"); // missing: 0
    check_rejected(
        R"({"contextTiers":[{"thresholdTokens":1000,"promptConfigured":true},
                            {"thresholdTokens":1000,"cacheConfigured":true}]})",
        "duplicate context tier threshold: 1000"
    );
    check_rejected(
        R"({"contextTiers":[{"thresholdTokens":1000,"prompt":2}]})", "threshold 1000 has no configured prices"
    );
    check_rejected(
        R"({"contextTiers":[{"thresholdTokens":1.5,"promptConfigured":true}]})", "thresholdTokens"
    );
    check_rejected(
        R"({"contextTiers":[{"thresholdTokens":1000,"prompt":-2,"promptConfigured":true}]})",
        "contextTiers[0].prompt"
    );
    check_rejected(
        R"({"contextTiers":[{"thresholdTokens":1000,"cacheRead":"x","promptConfigured":true}]})",
        "contextTiers[0].cacheRead"
    );
    check_rejected(R"({"contextTiers":[7]})", "contextTiers[0]");

    // Service tiers.
    check_rejected(
        R"({"serviceTiers":[{"mode":"","serviceTier":"priority","promptConfigured":true}]})", "required"
    );
    check_rejected(
        R"({"serviceTiers":[{"mode":"fast","serviceTier":"  ","promptConfigured":true}]})", "required"
    );
    check_rejected(R"({"serviceTiers":[{"mode":"fast","promptConfigured":true}]})", "required");
    check_rejected(
        R"({"serviceTiers":[{"mode":"fast","serviceTier":"priority","prompt":3}]})",
        "fast/priority has no configured prices"
    );
    check_rejected(
        R"({"serviceTiers":[{"mode":"fast","serviceTier":"priority","promptConfigured":true},
                            {"mode":"Priority","serviceTier":"turbo","promptConfigured":true}]})",
        "duplicate service tier identifier: priority"
    );
    check_rejected(
        R"({"serviceTiers":[{"mode":"fast","serviceTier":"priority","promptConfigured":true},
                            {"mode":"FAST","serviceTier":"other","promptConfigured":true}]})",
        "duplicate service tier identifier: fast"
    );
    check_rejected(
        R"({"serviceTiers":[{"mode":"fast","serviceTier":"priority","completion":-1,"completionConfigured":true}]})",
        "serviceTiers[0].completion"
    );
}

TEST_CASE("service tiers are trimmed and lower-cased; one tier may use one name for both")
{
    auto r = ok(R"({"serviceTiers":[{"mode":" Priority ","serviceTier":"PRIORITY","promptConfigured":true},
                                     {"mode":"Flex","serviceTier":"flex","cacheReadConfigured":true}]})");
    REQUIRE(r.price.service_tiers.size() == 2);
    CHECK(r.price.service_tiers[0].mode == "flex");
    CHECK(r.price.service_tiers[1].mode == "priority");
    CHECK(r.price.service_tiers[1].service_tier == "priority");
}

TEST_CASE("the prices object: null or missing is prices_required, {} is an empty table")
{
    auto missing = price_records_from_json(nullptr, now);
    REQUIRE(std::holds_alternative<price_error>(missing));
    CHECK(std::get<price_error>(missing).code == "prices_required");
    CHECK(std::get<price_error>(missing).message == "prices are required");

    const json::value null_value = nullptr;
    auto null_prices = price_records_from_json(&null_value, now);
    REQUIRE(std::holds_alternative<price_error>(null_prices));
    CHECK(std::get<price_error>(null_prices).code == "prices_required");

    const json::value array = json::parse("[]");
    auto wrong = price_records_from_json(&array, now);
    REQUIRE(std::holds_alternative<price_error>(wrong));
    CHECK(std::get<price_error>(wrong).code == "request_failed");

    const json::value empty = json::object{};
    auto none = price_records_from_json(&empty, now);
    REQUIRE(std::holds_alternative<price_records>(none));
    CHECK(std::get<price_records>(none).empty());

    const json::value two = json::parse(R"({"b":{"prompt":1},"a":{"prompt":2}})");
    auto both = price_records_from_json(&two, now);
    REQUIRE(std::holds_alternative<price_records>(both));
    CHECK(std::get<price_records>(both).size() == 2);

    // One bad entry rejects the whole object, naming that entry.
    const json::value bad = json::parse(R"({"a":{"prompt":1},"b":{"prompt":-1}})");
    auto one_bad = price_records_from_json(&bad, now);
    REQUIRE(std::holds_alternative<price_error>(one_bad));
    CHECK_THAT(std::get<price_error>(one_bad).message, Catch::Contains("invalid model price for b"));
    CHECK_THAT(std::get<price_error>(one_bad).message, Catch::Contains("prompt"));
}
