// /v0/management/model-prices on the real daemon with a real SQLite file (spec manager-api
// §5.10): the emptied table, a full table with context and service tiers, every 400 leaving the
// table as it was, {} clearing, prices_required, auth, 405 and a restart.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>
#include <csignal>

using cpamd::test::running_daemon;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace
{

const std::string admin_key = "cpamp_pricestestadminkey012345678";
const std::string path = "/v0/management/model-prices";

std::map<std::string, std::string> admin()
{
    return {{"Authorization", "Bearer " + admin_key}, {"Content-Type", "application/json"}};
}

// A table in the form GET answers it (tiers sorted, the two legacy flags written), so a GET after
// the PUT must give it back unchanged but for updatedAtMs.
const std::string full_table = R"({
  "claude-sonnet-4": {"prompt": 3, "completion": 15, "cache": 0.3, "cacheCreation": 3.75,
    "promptConfigured": true, "completionConfigured": true, "cacheCreationConfigured": true,
    "source": "manual"},
  "gpt-5": {"prompt": 1.25, "completion": 10, "cache": 0.125, "cacheRead": 0.125,
    "promptConfigured": true, "completionConfigured": true, "cacheReadConfigured": true,
    "source": "models.dev", "sourceModelId": "openai/gpt-5",
    "rawJson": "{\"cost\":{\"input\":1.25,\"output\":10}}",
    "contextTiers": [
      {"thresholdTokens": 128000, "prompt": 2, "completion": 0, "cache": 0, "promptConfigured": true},
      {"thresholdTokens": 272000, "prompt": 2.5, "completion": 15, "cache": 0.25, "cacheRead": 0.25,
       "cacheCreation": 2.5, "promptConfigured": true, "completionConfigured": true,
       "cacheConfigured": true, "cacheReadConfigured": true, "cacheCreationConfigured": true}],
    "serviceTiers": [
      {"mode": "fast", "serviceTier": "priority", "prompt": 2.5, "completion": 20, "cache": 0.25,
       "promptConfigured": true, "completionConfigured": true, "cacheConfigured": true},
      {"mode": "flex", "serviceTier": "flex", "prompt": 0.625, "completion": 5, "cache": 0,
       "promptConfigured": true, "completionConfigured": true}],
    "updatedAtMs": 5, "syncedAtMs": 1690000000000},
  "free-model": {"prompt": 0, "completion": 0, "cache": 0,
    "promptConfigured": false, "completionConfigured": false}
})";

std::string put_body(const std::string& prices)
{
    return "{\"prices\":" + prices + "}";
}

// The prices without their updatedAtMs (the server's clock).
json::object without_updated(json::object prices)
{
    for (auto& kv : prices)
        kv.value().as_object().erase("updatedAtMs");
    return prices;
}

struct client
{
    cpamd::test::http_client c;

    cpamd::test::http_reply put(const std::string& body) { return c.request("PUT", path, body, admin()); }
    json::object prices()
    {
        auto r = c.request("GET", path, {}, admin());
        REQUIRE(r.status == 200);
        CHECK(r.header("content-type") == "application/json");
        return json::parse(r.body).at("prices").as_object();
    }
};

void check_error(const cpamd::test::http_reply& r, const std::string& code)
{
    CHECK(r.status == 400);
    auto v = json::parse(r.body);
    CHECK(v.at("code").as_string() == code);
    CHECK(v.as_object().contains("error"));
}

// The full table with one entry's field set to `value` (raw JSON text).
std::string full_with(const std::string& model, const std::string& field, const std::string& value)
{
    auto t = json::parse(full_table).as_object();
    t.at(model).as_object()[field] = json::parse(value);
    return json::serialize(t);
}

} // namespace

TEST_CASE("model prices: empty, replace, read back, clear", "[daemon][model_prices]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    client c{d.client()};

    // A fresh database holds the bundled catalog (price_catalog_seed.hpp); {} empties it.
    auto cleared_first = c.put(put_body("{}"));
    REQUIRE(cleared_first.status == 200);
    CHECK(cleared_first.body.starts_with("{\"prices\":{},\"catalog\":{"));
    auto empty = c.c.request("GET", path, {}, admin());
    CHECK(empty.status == 200);
    CHECK(json::parse(empty.body).at("prices").as_object().empty());
    // cpamd's own field: the bundled catalog's date and origin, for the panel.
    auto catalog = json::parse(empty.body).at("catalog");
    CHECK(catalog.at("date").as_string().size() == 10);
    CHECK(catalog.at("models").as_int64() > 100);

    const auto put = c.put(put_body(full_table));
    REQUIRE(put.status == 200);
    // Go-encoded: plain decimals, keys in order.
    CHECK(put.body.find("\"prompt\":1.25,\"completion\":10,\"cache\":0.125") != std::string::npos);
    CHECK(put.body.find("\"claude-sonnet-4\"") < put.body.find("\"free-model\""));
    const auto answered = json::parse(put.body).at("prices").as_object();
    const auto got = c.prices();
    CHECK(got == answered); // PUT answers like GET
    CHECK(without_updated(got) == without_updated(json::parse(full_table).as_object()));
    for (const auto& kv : got)
        CHECK(kv.value().at("updatedAtMs").as_int64() > 1'600'000'000'000); // now, not the sent 5

    // GET -> PUT unchanged.
    REQUIRE(c.put(put_body(json::serialize(got))).status == 200);
    CHECK(without_updated(c.prices()) == without_updated(got));

    // Replace, not merge: the table is what the last PUT sent.
    auto one = c.put(put_body(R"({"gpt-4o":{"prompt":2.5,"completion":10,"cache":1.25}})"));
    REQUIRE(one.status == 200);
    auto after = c.prices();
    REQUIRE(after.size() == 1);
    CHECK(after.at("gpt-4o").at("promptConfigured") == true); // an old client's entry stays configured
    CHECK_FALSE(after.at("gpt-4o").as_object().contains("contextTiers"));

    // Tiers of a replaced model are gone too.
    REQUIRE(c.put(put_body(full_table)).status == 200);
    REQUIRE(c.put(put_body(R"({"gpt-5":{"prompt":1,"completion":2,"cache":0}})")).status == 200);
    auto plain = c.prices();
    CHECK_FALSE(plain.at("gpt-5").as_object().contains("contextTiers"));
    CHECK_FALSE(plain.at("gpt-5").as_object().contains("serviceTiers"));

    auto cleared = c.put(put_body("{}"));
    REQUIRE(cleared.status == 200);
    CHECK(json::parse(cleared.body).at("prices").as_object().empty());
    CHECK(c.prices().empty());
}

TEST_CASE("model prices: every 400 leaves the table as it was", "[daemon][model_prices]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    client c{d.client()};
    REQUIRE(c.put(put_body(full_table)).status == 200);
    const auto before = c.prices();

    check_error(c.put("{}"), "prices_required");
    check_error(c.put(R"({"prices":null})"), "prices_required");
    CHECK(json::parse(c.put("{}").body).at("error").as_string() == "prices are required");
    check_error(c.put("{not json"), "request_failed");
    check_error(c.put("[]"), "request_failed");
    check_error(c.put(R"({"prices":[]})"), "request_failed");
    check_error(c.put(put_body(R"({"":{"prompt":1}})")), "request_failed");

    const std::vector<std::pair<std::string, std::string>> bad = {
        {"prompt", "-1"},
        {"completion", "\"10\""},
        {"cacheRead", "true"},
        {"contextTiers",
         R"([{"thresholdTokens":1000,"promptConfigured":true},{"thresholdTokens":1000,"cacheConfigured":true}])"},
        {"contextTiers", R"([{"thresholdTokens":0,"promptConfigured":true}])"},
        {"contextTiers", R"([{"thresholdTokens":1000,"prompt":2}])"},
        {"serviceTiers", R"([{"mode":"","serviceTier":"priority","promptConfigured":true}])"},
        {"serviceTiers", R"([{"mode":"fast","serviceTier":"priority","prompt":3}])"},
        {"serviceTiers",
         R"([{"mode":"fast","serviceTier":"priority","promptConfigured":true},{"mode":"PRIORITY","serviceTier":"x","promptConfigured":true}])"},
    };
    for (const auto& [field, value] : bad)
    {
        INFO(field << " = " << value);
        // Good entries before and after the bad one are not written either.
        auto r = c.put(put_body(full_with("gpt-5", field, value)));
        check_error(r, "request_failed");
        CHECK_THAT(std::string(json::parse(r.body).at("error").as_string()), Catch::Contains("gpt-5"));
        CHECK(c.prices() == before);
    }
}

TEST_CASE("model prices: auth and methods", "[daemon][model_prices]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    client c{d.client()};
    REQUIRE(c.put(put_body(full_table)).status == 200);
    const auto before = c.prices();

    for (const auto& method : {"GET", "PUT"})
    {
        auto r = c.c.request(method, path, std::string(method) == "PUT" ? put_body("{}") : "");
        CHECK(r.status == 401);
        CHECK(json::parse(r.body).at("code").as_string() == "invalid_admin_key");
        auto wrong = c.c.request(method, path, put_body("{}"), {{"Authorization", "Bearer nope"}});
        CHECK(wrong.status == 401);
    }
    CHECK(c.prices() == before);

    for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"POST", path},
             {"DELETE", path},
             {"PATCH", path},
             {"GET", path + "/unknown"},
             {"PUT", path + "/gpt-5"}})
    {
        INFO(method << " " << target);
        auto r = c.c.request(method, target, {}, admin());
        CHECK(r.status == 405);
        CHECK(json::parse(r.body).at("code").as_string() == "method_not_allowed");
        CHECK(c.c.request(method, target).status == 401);
    }
    CHECK(c.prices() == before);
}

TEST_CASE("model prices survive a restart", "[daemon][model_prices]")
{
    cpamd::test::temp_dir dir;
    const std::map<std::string, std::string> env = {
        {"CPA_MANAGER_ADMIN_KEY", admin_key}, {"USAGE_DATA_DIR", (dir / "data").string()}};
    json::object before;
    {
        running_daemon d(env);
        client c{d.client()};
        REQUIRE(c.put(put_body(full_table)).status == 200);
        before = c.prices();
        d.process().signal(SIGTERM);
        REQUIRE(d.process().wait(10s) == 0);
    }
    running_daemon again(env);
    client c{again.client()};
    CHECK(c.prices() == before);
}
