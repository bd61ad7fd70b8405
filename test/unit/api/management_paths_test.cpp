#include <catch2/catch.hpp>
#include <cpamd/api/management_paths.hpp>

using namespace cpamd::api;

TEST_CASE("management paths are classified in their canonical form", "[management_paths]")
{
    CHECK(canonical_management_rest("config") == "config");
    CHECK(canonical_management_rest("/config") == "config");
    CHECK(canonical_management_rest("//Config/") == "config");
    CHECK(canonical_management_rest("%2fconfig") == "config");
    CHECK(canonical_management_rest("%2Flogs%2F") == "logs");
    CHECK(canonical_management_rest("auth-files//status") == "auth-files/status");
    CHECK(canonical_management_rest("%6Cogs") == "logs");

    auto kind = [](std::string_view rest)
    { return classify_management_path(canonical_management_rest(rest)); };
    for (auto cpa :
         {"config",
          "logs",
          "Logs",
          "//logs",
          "%2flogs",
          "api-keys",
          "usage-queue",
          "config.yaml",
          "auth-files/download",
          "plugins",
          "plugin-store/x",
          "usage-statistics-enabled"})
    {
        CAPTURE(cpa);
        CHECK(kind(cpa) == management_path::cpa);
    }
    for (auto local :
         {"model-prices",
          "Model-Prices/sync",
          "api-key-aliases/abc",
          "dashboard/summary",
          "monitoring/analytics",
          "quota-snapshots",
          "codex-inspection/runs",
          "account-action-candidates",
          "usage",
          "usage/unknown",
          "//usage/x"})
    {
        CAPTURE(local);
        CHECK(kind(local) == management_path::local);
    }
    for (auto plugin : {"my-plugin/items", "sim/upload", "usagex", "", "configs"})
    {
        CAPTURE(plugin);
        CHECK(kind(plugin) == management_path::plugin);
    }
}
