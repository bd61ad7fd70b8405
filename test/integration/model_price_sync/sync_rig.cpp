#include "sync_rig.hpp"

#include "source_fixtures.hpp"

#include <catch2/catch.hpp>

namespace cpamd::test
{

std::map<std::string, std::string> sync_headers()
{
    return {{"Authorization", "Bearer " + sync_admin_key}, {"Content-Type", "application/json"}};
}

void serve_fixtures(price_server& srv)
{
    srv.set(models_dev_path, {200, fixtures::models_dev_catalog});
    srv.set(litellm_path, {200, fixtures::litellm_prices});
    srv.set(openrouter_path, {200, fixtures::openrouter_models});
}

std::map<std::string, std::string> source_env(const price_server& srv)
{
    return {
        {"CPAMD_PRICES_MODELS_DEV_URL", srv.url(models_dev_path)},
        {"CPAMD_PRICES_LITELLM_URL", srv.url(litellm_path)},
        {"CPAMD_PRICES_OPENROUTER_URL", srv.url(openrouter_path)},
    };
}

sync_rig::sync_rig(std::map<std::string, std::string> env)
{
    serve_fixtures(prices);
    env.merge(source_env(prices));
    env.emplace("CPA_MANAGER_ADMIN_KEY", sync_admin_key);
    daemon = std::make_unique<running_daemon>(std::move(env));
    // Start from an empty table: the first start seeded the bundled catalog (price_catalog_seed_test).
    auto r =
        daemon->client().request("PUT", "/v0/management/model-prices", R"({"prices":{}})", sync_headers());
    REQUIRE(r.status == 200);
}

http_reply sync_rig::sync(const std::string& body)
{
    return daemon->client(std::chrono::seconds(30))
        .request("POST", "/v0/management/model-prices/sync", body, sync_headers());
}

boost::json::value sync_rig::sync_ok(const std::string& body)
{
    auto r = sync(body);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body);
}

boost::json::object sync_rig::stored()
{
    auto r = daemon->client().get("/v0/management/model-prices", sync_headers());
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body).at("prices").as_object();
}

} // namespace cpamd::test
