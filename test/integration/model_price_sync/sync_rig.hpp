#pragma once

// A cpamd whose three price source URLs point at a local price_server serving the fixture
// documents of test/unit/pricing/source_fixtures.hpp, with an admin key preset and an empty
// price table.

#include "price_server.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cpamd/test/daemon.hpp>
#include <map>
#include <memory>
#include <string>

namespace cpamd::test
{

inline const std::string sync_admin_key = "cpamp_pricesynctestadminkey0123456";
inline const std::string models_dev_path = "/models-dev/catalog.json";
inline const std::string litellm_path = "/litellm/model_prices_and_context_window.json";
inline const std::string openrouter_path = "/openrouter/api/v1/models";

std::map<std::string, std::string> sync_headers();

// Serves the three fixture documents at the paths above.
void serve_fixtures(price_server& srv);
// The environment that points cpamd's sources at `srv`.
std::map<std::string, std::string> source_env(const price_server& srv);

struct sync_rig
{
    price_server prices;
    std::unique_ptr<running_daemon> daemon;

    explicit sync_rig(std::map<std::string, std::string> env = {});

    http_reply sync(const std::string& body);
    boost::json::value sync_ok(const std::string& body); // REQUIREs 200
    boost::json::object stored();                        // GET /v0/management/model-prices
    void fail(const std::string& path) { prices.set(path, {500, "upstream broke"}); }
};

} // namespace cpamd::test
