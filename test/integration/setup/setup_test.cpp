// First start, POST /setup and /usage-service/config against a real cpa-sim, with the daemon
// and the simulator as real processes on 127.0.0.1.

#include "setup_fixture.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace cpamd::test;

namespace
{

std::string setup_body(const std::string& url, const std::string& key, int poll_ms = 500)
{
    return R"({"cpaBaseUrl":")" + url + R"(/v0/management/","cpaManagementKey":")" + key +
           R"(","pollIntervalMs":)" + std::to_string(poll_ms) + "}";
}

std::size_t count_of(const std::string& hay, const std::string& needle)
{
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1))
        ++n;
    return n;
}

std::string file_text(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("the first start prints the generated admin key once; later starts never do", "[setup]")
{
    temp_dir dir;
    auto first = start_daemon(dir);
    std::string key = generated_admin_key(first->process().output());
    REQUIRE(key.size() == 38);
    auto info = parse(first->client().get("/usage-service/info").body).as_object();
    CHECK(info.at("adminReady").as_bool());
    CHECK(info.at("dataKeyReady").as_bool());
    CHECK(info.at("setupRequired").as_bool());
    CHECK_FALSE(info.at("projectInitialized").as_bool());
    std::string out1 = stop_daemon(*first);
    CHECK(count_of(out1, key) == 1);

    auto second = start_daemon(dir);
    CHECK(second->client().get("/status", bearer(key)).status == 200);
    std::string out2 = stop_daemon(*second);
    CHECK(out2.find("admin key generated") == std::string::npos);
    CHECK(out2.find(key) == std::string::npos);
}

TEST_CASE("CPA_MANAGER_ADMIN_KEY becomes the admin key and is never printed", "[setup]")
{
    temp_dir dir;
    const std::string key = "operator-chosen-admin-key-42";
    auto d = start_daemon(dir, {{"CPA_MANAGER_ADMIN_KEY", key}});
    CHECK(d->client().get("/status", bearer(key)).status == 200);
    CHECK(d->client().get("/status", bearer(key + "x")).status == 401);
    auto row = read_setting_row(data_dir_of(dir) / "usage.sqlite", "admin_credential_v1");
    REQUIRE(row);
    CHECK(parse(*row).at("source").as_string() == "env");
    std::string out = stop_daemon(*d);
    CHECK(out.find(key) == std::string::npos);
}

TEST_CASE("POST /setup against cpa-sim: auth, validation, statistics, encrypted storage, no leaks", "[setup]")
{
    sim_process sim({"--usage-statistics-enabled", "false"});
    temp_dir dir;
    auto d = start_daemon(dir);
    const std::string admin = generated_admin_key(d->process().output());
    REQUIRE_FALSE(admin.empty());
    auto c = d->client(std::chrono::seconds(40));

    // Without the admin key.
    auto r = c.request("POST", "/setup", setup_body(sim.url(), sim_management_key));
    CHECK(r.status == 401);
    CHECK(r.body == "{\"error\":\"invalid admin key\",\"code\":\"invalid_admin_key\"}\n");

    // A wrong CPA key: CPA answers 401, we answer 502.
    r = c.request("POST", "/setup", setup_body(sim.url(), "wrong-cpa-key"), bearer(admin));
    CHECK(r.status == 502);
    CHECK(parse(r.body).at("code").as_string() == "management_api_validation_failed");
    CHECK(std::string(parse(r.body).at("error").as_string())
              .starts_with("management API validation failed: 401"));

    // Missing key.
    r = c.request("POST", "/setup", R"({"cpaBaseUrl":")" + sim.url() + R"("})", bearer(admin));
    CHECK(r.status == 400);
    CHECK(parse(r.body).at("code").as_string() == "cpa_connection_required");

    // GET config is open while nothing is configured; the proxy has nowhere to go yet.
    CHECK(c.get("/usage-service/config").status == 200);
    CHECK(c.get("/v0/management/config", bearer(admin)).status == 428);

    r = c.request("POST", "/setup", setup_body(sim.url(), sim_management_key), bearer(admin));
    REQUIRE(r.status == 200);
    CHECK(r.body == "{\"ok\":true,\"upstream\":\"" + sim.url() + "\"}\n");
    CHECK(d->process().wait_for_output("collector restart requested", std::chrono::seconds(5)));

    // CPA's usage statistics were turned on.
    auto stats = sim.mgmt("GET", "/v0/management/usage-statistics-enabled");
    REQUIRE(stats.status == 200);
    CHECK(parse(stats.body).at("usage-statistics-enabled").as_bool());

    auto info = parse(c.get("/usage-service/info").body).as_object();
    CHECK(info.at("configured").as_bool());
    CHECK(info.at("projectInitialized").as_bool());
    CHECK_FALSE(info.at("setupRequired").as_bool());

    // GET config now needs the admin key and shows the CPA key masked.
    CHECK(c.get("/usage-service/config").status == 401);
    r = c.get("/usage-service/config", bearer(admin));
    REQUIRE(r.status == 200);
    CHECK(r.body.find(sim_management_key) == std::string::npos);
    auto cfg = parse(r.body).as_object();
    CHECK(cfg.at("source").as_string() == "db");
    auto masked = std::string(cfg.at("config").at("cpaConnection").at("managementKey").as_string());
    CHECK(masked == "sim****6789");
    CHECK(cfg.at("config").at("cpaConnection").at("cpaBaseUrl").as_string() == sim.url());
    CHECK(cfg.at("cpaUsage").at("usageStatisticsEnabled").as_bool());

    // Sending the masked key back keeps the stored key (the CPA call still validates).
    r = c.request(
        "PUT",
        "/usage-service/config",
        R"({"config":{"cpaConnection":{"cpaBaseUrl":")" + sim.url() + R"(","managementKey":")" + masked +
            R"("},"collector":{"batchSize":250}}})",
        bearer(admin)
    );
    REQUIRE(r.status == 200);
    CHECK(parse(r.body).at("config").at("collector").at("batchSize").as_int64() == 250);
    CHECK(parse(r.body).at("config").at("cpaConnection").at("managementKey").as_string() == masked);

    // PUT parses before it authenticates.
    CHECK(
        parse(c.request("PUT", "/usage-service/config", "{nope").body).at("code").as_string() ==
        "request_failed"
    );
    CHECK(c.request("PUT", "/usage-service/config", "{}").status == 401);

    // Stored encrypted; the raw database never holds the plaintext key.
    const auto db = data_dir_of(dir) / "usage.sqlite";
    auto setup_row = read_setting_row(db, "setup");
    auto config_row = read_setting_row(db, "manager_config_v1");
    auto state_row = read_setting_row(db, "bootstrap_state_v1");
    REQUIRE(setup_row);
    REQUIRE(config_row);
    REQUIRE(state_row);
    CHECK(std::string(parse(*setup_row).at("managementKey").as_string()).starts_with("enc:v1:"));
    CHECK(std::string(parse(*config_row).at("cpaConnection").at("managementKey").as_string())
              .starts_with("enc:v1:"));
    CHECK(parse(*state_row).at("status").as_string() == "ready");
    CHECK(raw_database_bytes(db).find(sim_management_key) == std::string::npos);

    auto status = parse(c.get("/status", bearer(admin)).body).as_object();
    CHECK(status.at("collector").at("upstream").as_string() == sim.url());

    // The proxy, too: a proxied call with the admin key, one CPA refuses, one for a plugin.
    auto proxied = c.get("/v0/management/config", bearer(admin));
    CHECK(proxied.status == 200);
    CHECK(proxied.body.find(sim_management_key) == std::string::npos);
    CHECK(c.get("/v0/management/no-such-plugin/x", bearer(admin)).status == 404);
    CHECK(c.get("/v0/management/config", bearer("wrong-admin-key")).status == 401);

    // Nothing secret in the daemon's whole output but the one generated-key line.
    std::string out = stop_daemon(*d);
    std::string data_key = file_text(data_dir_of(dir) / "data.key");
    while (!data_key.empty() && data_key.back() == '\n')
        data_key.pop_back();
    REQUIRE(data_key.size() == 43);
    CHECK(count_of(out, admin) == 1);
    CHECK(out.find(sim_management_key) == std::string::npos);
    CHECK(out.find(data_key) == std::string::npos);
    CHECK(out.find("wrong-cpa-key") == std::string::npos);

    // A restart reads the encrypted key back: the connection is still resolved.
    auto again = start_daemon(dir);
    auto info2 = parse(again->client().get("/usage-service/info").body).as_object();
    CHECK(info2.at("projectInitialized").as_bool());
    CHECK(again->client().get("/usage-service/config").status == 401);
}

TEST_CASE("a poll interval above CPA's queue retention is refused", "[setup]")
{
    sim_process sim({"--retention-seconds", "2"});
    temp_dir dir;
    auto d = start_daemon(dir);
    const std::string admin = generated_admin_key(d->process().output());
    auto c = d->client(std::chrono::seconds(40));
    auto r = c.request("POST", "/setup", setup_body(sim.url(), sim_management_key, 5000), bearer(admin));
    CHECK(r.status == 400);
    CHECK(
        r.body == "{\"error\":\"pollIntervalMs must be less than or equal to CPA "
                  "redis-usage-queue-retention-seconds (2 "
                  "seconds)\",\"code\":\"poll_interval_exceeds_retention\"}\n"
    );
    // Nothing was saved.
    CHECK_FALSE(read_setting_row(data_dir_of(dir) / "usage.sqlite", "setup"));
    CHECK(
        c.request("POST", "/setup", setup_body(sim.url(), sim_management_key, 2000), bearer(admin)).status ==
        200
    );
}

TEST_CASE("an env-managed connection refuses changes with 409", "[setup]")
{
    sim_process sim;
    temp_dir dir;
    auto d = start_daemon(
        dir,
        {{"CPA_UPSTREAM_URL", sim.url()},
         {"CPA_MANAGEMENT_KEY", sim_management_key},
         {"USAGE_RETENTION_DAYS", "90"},
         {"BACKUP_INTERVAL", "6h"}}
    );
    const std::string admin = generated_admin_key(d->process().output());
    auto c = d->client(std::chrono::seconds(40));

    auto info = parse(c.get("/usage-service/info").body).as_object();
    CHECK(info.at("configured").as_bool());

    auto r = c.request("POST", "/setup", setup_body("http://127.0.0.1:9", "other-key"), bearer(admin));
    CHECK(r.status == 409);
    CHECK(parse(r.body).at("code").as_string() == "setup_env_managed");

    r = c.get("/usage-service/config", bearer(admin));
    REQUIRE(r.status == 200);
    CHECK(parse(r.body).at("source").as_string() == "env");
    CHECK(r.body.find(sim_management_key) == std::string::npos);
    // The process settings the panel shows read-only.
    auto process = parse(r.body).at("processSettings");
    CHECK(process.at("retentionDays").as_int64() == 90);
    CHECK(process.at("backupIntervalSeconds").to_number<std::int64_t>() == 6 * 3600);
    CHECK(process.at("backupRetentionDays").as_int64() == 7);

    r = c.request(
        "PUT", "/usage-service/config", R"({"config":{"collector":{"queue":"elsewhere"}}})", bearer(admin)
    );
    CHECK(r.status == 409);
    CHECK(parse(r.body).at("code").as_string() == "connection_env_managed");
    std::string out = stop_daemon(*d);
    CHECK(out.find(sim_management_key) == std::string::npos);
}
