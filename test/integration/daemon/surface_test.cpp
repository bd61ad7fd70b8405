// What a browser, the upstream panel and an operator see of the daemon's surface: the /status
// shape the upstream panel reads, HEAD /health, the account processing policy, and the database
// file's mode (issue 17 items 13, 14, 16). The panel routes are in panel_test.cpp.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>
#include <memory>
#include <sys/stat.h>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using cpamd::test::running_daemon;

namespace
{

const std::string admin_key = "cpamp_surfacetestadminkey0123456789";

std::map<std::string, std::string> admin()
{
    return {{"Authorization", "Bearer " + admin_key}};
}

} // namespace

TEST_CASE("HEAD /health is 200 with GET's head and no body", "[daemon]")
{
    running_daemon d;
    auto c = d.client();
    c.send_raw("HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    auto raw = c.read_raw();
    CHECK(raw.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(raw.find("Content-Length: ") != std::string::npos);
    CHECK(raw.ends_with("\r\n\r\n")); // nothing after the head
}

TEST_CASE("/status has the shape the upstream panel reads", "[daemon]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    auto r = d.client().get("/status", admin());
    REQUIRE(r.status == 200);
    // Plain decimals, as Go writes them: never Boost's 7.3E0.
    CHECK(r.body.find("E0") == std::string::npos);
    CHECK(r.body.find("E-") == std::string::npos);
    auto v = boost::json::parse(r.body).as_object();
    const auto& m = v.at("databaseMaintenance").as_object();
    CHECK(m.at("deferredIndexes").is_int64());
    CHECK(m.at("offlineJobs").is_int64());
    CHECK(m.at("reasons").is_array());
    const auto& db = v.at("database").as_object();
    CHECK(db.at("journalSizeLimitBytes").as_int64() == 268435456);
    const auto& cp = db.at("checkpoint").as_object();
    CHECK(cp.at("mode").as_string() == "PASSIVE");
    for (const char* key : {"busy", "logFrames", "checkpointedFrames", "executedAtMs", "durationMs"})
    {
        CAPTURE(key);
        CHECK(cp.at(key).is_int64());
    }
    CHECK(cp.at("executedAtMs").as_int64() > 0);

    auto scoped = d.client().get("/status?scope=database-maintenance", admin());
    CHECK(boost::json::parse(scoped.body).at("databaseMaintenance").at("offlineJobs").as_int64() == 0);
}

TEST_CASE("the account processing policy answers the documented shape", "[daemon]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    auto c = d.client();
    // Open before setup (no CPA key resolved), as the upstream's first-setup path reads it.
    auto r = c.get("/usage-service/account-processing-policy");
    REQUIRE(r.status == 200);
    auto v = boost::json::parse(r.body).as_object();
    CHECK(v.at("source").is_string());
    CHECK(v.at("updatedAtMs").is_int64());
    for (const char* name : {"codexQuotaCooldown", "authIssueQueue", "authIssueAutoDisable"})
    {
        CAPTURE(name);
        const auto& s = v.at(name).as_object();
        CHECK(s.at("enabled") == false);
        for (const char* key : {"configured", "locked"})
            CHECK(s.at(key).is_bool());
        for (const char* key : {"source", "envKey", "configFileKey", "dependsOn"})
            CHECK(s.at(key).is_string());
    }
    auto patch = c.request("PATCH", "/usage-service/account-processing-policy", "{}", admin());
    CHECK(patch.status == 501);
    CHECK(boost::json::parse(patch.body).at("code") == "not_implemented");
    CHECK(c.request("PATCH", "/usage-service/account-processing-policy", "{}").status == 401);
}

TEST_CASE("the database and its WAL are private to cpamd's user", "[daemon]")
{
    running_daemon d;
    CHECK(d.client().get("/health").status == 200);
    for (const char* name : {"usage.sqlite", "usage.sqlite-wal"})
    {
        CAPTURE(name);
        struct stat st
        {
        };
        REQUIRE(::stat((d.data_dir() / name).c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
    }
}

TEST_CASE("idle connections from one address do not lock others out, with the default caps", "[daemon]")
{
    running_daemon d;
    // Past the default per-address cap (256): each connection sends half a header and waits.
    std::vector<std::unique_ptr<cpamd::test::http_client>> held;
    for (int i = 0; i < 300; ++i)
    {
        held.push_back(std::make_unique<cpamd::test::http_client>("127.0.0.1", d.port(), 10s, "127.0.0.1"));
        held.back()->send_raw("GET /health HTTP/1.1\r\nHost: x\r\n");
    }
    std::this_thread::sleep_for(200ms);
    auto other = cpamd::test::http_client("127.0.0.1", d.port(), 5s, "127.0.0.2").get("/health");
    CHECK(other.status == 200);
    auto same = cpamd::test::http_client("127.0.0.1", d.port(), 5s, "127.0.0.1").get("/health");
    CHECK(same.status == 503);
    CHECK(boost::json::parse(same.body).at("code") == "too_many_connections");
}
