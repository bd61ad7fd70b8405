// The operations settings in the config table (BACKUP_*, METRICS_*).

#include <catch2/catch.hpp>
#include <cpamd/core/config.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <map>

namespace
{

cpamd::config_result load(const std::map<std::string, std::string>& env)
{
    static cpamd::test::temp_dir dir;
    cpamd::config_inputs in;
    in.getenv = [env](const std::string& name) -> std::optional<std::string>
    {
        auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    in.executable_dir = dir / "bin";
    in.working_dir = dir.path();
    return cpamd::load_config(in);
}

std::string shown(const cpamd::loaded_config& c, std::string_view env)
{
    for (const auto& row : c.effective)
        if (row.env == env)
            return row.value;
    return "?";
}

} // namespace

TEST_CASE("operations settings are off or closed by default", "[config][ops]")
{
    auto r = load({});
    REQUIRE(r.ok);
    CHECK(r.ok->value.backup_interval_seconds == 0);
    CHECK(r.ok->value.backup_retention_days == 7);
    CHECK(r.ok->value.metrics_token.empty());
    CHECK_FALSE(r.ok->value.metrics_allow_loopback);
    CHECK(shown(*r.ok, "BACKUP_INTERVAL") == "off");
}

TEST_CASE("BACKUP_INTERVAL takes a duration with a unit", "[config][ops]")
{
    for (auto [text, seconds, display] : {
             std::tuple{"90", 90u, "90s"},
             std::tuple{"90s", 90u, "90s"},
             std::tuple{"30m", 1800u, "30m"},
             std::tuple{"6H", 21600u, "6h"},
             std::tuple{"1d", 86400u, "1d"},
             std::tuple{"off", 0u, "off"},
             std::tuple{"0", 0u, "off"},
         })
    {
        CAPTURE(text);
        auto r = load({{"BACKUP_INTERVAL", text}});
        REQUIRE(r.ok);
        CHECK(r.ok->value.backup_interval_seconds == seconds);
        CHECK(shown(*r.ok, "BACKUP_INTERVAL") == display);
    }
    for (const char* bad : {"soon", "5w", "-1h", "1.5h", "h"})
    {
        CAPTURE(bad);
        auto r = load({{"BACKUP_INTERVAL", bad}});
        REQUIRE(r.error);
        CHECK(r.error->variable == "BACKUP_INTERVAL");
    }
}

TEST_CASE("METRICS_TOKEN is a secret and never shown", "[config][ops]")
{
    auto r = load(
        {{"METRICS_TOKEN", "scrape-me-123"},
         {"METRICS_ALLOW_LOOPBACK", "yes"},
         {"BACKUP_RETENTION_DAYS", "0"}}
    );
    REQUIRE(r.ok);
    CHECK(r.ok->value.metrics_token == "scrape-me-123");
    CHECK(r.ok->value.metrics_allow_loopback);
    CHECK(r.ok->value.backup_retention_days == 0);
    CHECK(shown(*r.ok, "METRICS_TOKEN") == "(set, hidden)");
    CHECK(load({{"BACKUP_RETENTION_DAYS", "-2"}}).error);
}

TEST_CASE("METRICS_USAGE_TOP_N bounds the usage series' labels", "[config][ops]")
{
    auto r = load({});
    REQUIRE(r.ok);
    CHECK(r.ok->value.metrics_usage_top_n == 20);
    for (auto [raw, n] : {std::pair{"0", 0u}, {"5", 5u}, {"1000", 1000u}})
    {
        CAPTURE(raw);
        auto v = load({{"METRICS_USAGE_TOP_N", raw}});
        REQUIRE(v.ok);
        CHECK(v.ok->value.metrics_usage_top_n == n);
    }
    for (const char* bad : {"-1", "1001", "ten"})
    {
        CAPTURE(bad);
        auto v = load({{"METRICS_USAGE_TOP_N", bad}});
        REQUIRE(v.error);
        CHECK(v.error->variable == "METRICS_USAGE_TOP_N");
    }
}
