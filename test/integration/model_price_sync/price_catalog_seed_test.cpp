// The bundled catalog: a first start seeds an empty price table from it, once; {"source":"bundled"}
// syncs from it with no network at all.

#include "sync_rig.hpp"

#include <catch2/catch.hpp>
#include <cpamd/pricing/price_catalog.hpp>
#include <cpamd/store/settings.hpp>
#include <cpamd/store/store.hpp>
#include <cpamd/test/ports.hpp>
#include <csignal>

using namespace cpamd::test;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace
{

// Every source URL points at a closed port: nothing can be fetched.
std::map<std::string, std::string> offline_env(const temp_dir& dir)
{
    const std::string nowhere = "http://127.0.0.1:" + std::to_string(free_port());
    return {
        {"USAGE_DATA_DIR", (dir / "data").string()},
        {"CPA_MANAGER_ADMIN_KEY", sync_admin_key},
        {"CPAMD_PRICES_MODELS_DEV_URL", nowhere + "/a"},
        {"CPAMD_PRICES_LITELLM_URL", nowhere + "/b"},
        {"CPAMD_PRICES_OPENROUTER_URL", nowhere + "/c"},
    };
}

json::object stored(running_daemon& d)
{
    auto r = d.client().get("/v0/management/model-prices", sync_headers());
    REQUIRE(r.status == 200);
    return json::parse(r.body).at("prices").as_object();
}

void stop(running_daemon& d)
{
    d.process().signal(SIGTERM);
    REQUIRE(d.process().wait(15s) == 0); // a clean exit (and no leak report under ASan)
}

} // namespace

TEST_CASE("first start seeds from the catalog; an emptied table stays empty", "[daemon][prices][catalog]")
{
    temp_dir dir;
    const auto& catalog = cpamd::pricing::bundled_catalog_info();
    {
        running_daemon d(offline_env(dir));
        auto p = stored(d);
        CHECK(p.size() == catalog.models);
        CHECK(p.at("gpt-4.1").at("source") == "bundled");
        CHECK(p.at("gpt-4.1").at("prompt").to_number<double>() == 2);
        CHECK(
            d.process().output().find("seeded " + std::to_string(catalog.models) + " model prices") !=
            std::string::npos
        );
        auto put =
            d.client().request("PUT", "/v0/management/model-prices", R"({"prices":{}})", sync_headers());
        REQUIRE(put.status == 200);
        stop(d);
    }
    {
        running_daemon d(offline_env(dir));
        CHECK(stored(d).empty());
        CHECK(d.process().output().find("seeded") == std::string::npos);
        // Seeded prices are not the user's history: a fresh install stays fresh.
        auto info = json::parse(d.client().get("/usage-service/info").body);
        CHECK(info.at("hasHistoricalData") == false);
        CHECK(info.at("migrationStatus") == "fresh");
        stop(d);
    }
}

TEST_CASE("a database that already has prices is never seeded", "[daemon][prices][catalog]")
{
    temp_dir dir;
    {
        running_daemon d(offline_env(dir));
        auto put = d.client().request(
            "PUT",
            "/v0/management/model-prices",
            R"({"prices":{"mine":{"prompt":1,"completion":2,"cache":0}}})",
            sync_headers()
        );
        REQUIRE(put.status == 200);
        stop(d);
    }
    {
        // As a database from before the catalog existed: prices, and no record of a seed.
        std::string why;
        auto db = cpamd::store::store::open(dir / "data" / "usage.sqlite", 1, why);
        REQUIRE(db);
        db->write_sync([](cpamd::store::connection& c)
                       { cpamd::store::delete_setting(c, "model_prices_catalog_seed_v1"); });
        db->writer().drain();
    }
    running_daemon d(offline_env(dir));
    auto p = stored(d);
    CHECK(p.size() == 1);
    CHECK(p.contains("mine"));
    auto info = json::parse(d.client().get("/usage-service/info").body);
    CHECK(info.at("hasHistoricalData") == true);
    stop(d);
}

TEST_CASE("sync from the bundled catalog needs no network", "[daemon][prices][catalog]")
{
    temp_dir dir;
    running_daemon d(offline_env(dir));
    REQUIRE(
        d.client().request("PUT", "/v0/management/model-prices", R"({"prices":{}})", sync_headers()).status ==
        200
    );
    auto sync = [&](const std::string& body)
    {
        auto r = d.client().request("POST", "/v0/management/model-prices/sync", body, sync_headers());
        INFO(r.body);
        REQUIRE(r.status == 200);
        return json::parse(r.body);
    };
    auto r = sync(
        R"({"source":"bundled","models":["gpt-4.1","claude-sonnet-4-20250514","no-such-model-anywhere"]})"
    );
    CHECK(r.at("source") == "bundled");
    CHECK(r.at("sources") == json::array{"bundled"});
    CHECK(r.at("imported") == 2);
    CHECK(r.at("unmatched") == json::array{"no-such-model-anywhere"});
    const auto& result = r.at("sourceResults").at(0).as_object();
    CHECK(result.at("source") == "bundled");
    CHECK(result.at("models") == cpamd::pricing::bundled_catalog_info().models);
    CHECK_FALSE(result.contains("error"));
    auto p = stored(d);
    CHECK(p.at("claude-sonnet-4-20250514").at("cacheCreation").to_number<double>() == 3.75);
    CHECK(p.at("gpt-4.1").at("source") == "bundled");

    auto all = sync(R"({"source":"bundled"})");
    CHECK(all.at("imported") == cpamd::pricing::bundled_catalog_info().models);

    // The network sources all fail here: 502, as the spec says.
    auto live = d.client().request("POST", "/v0/management/model-prices/sync", "{}", sync_headers());
    CHECK(live.status == 502);
    stop(d);
}
