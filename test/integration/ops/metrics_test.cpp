// GET /metrics on the real daemon: access rules, content, and promtool's verdict.

#include "ops_fixture.hpp"

#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>

using namespace std::chrono_literals;
using cpamd::test::running_daemon;

namespace
{

const std::string admin_key = "cpamp_metricstestadminkey012345678";
const std::string metrics_token = "scrape-token-for-tests";

std::map<std::string, std::string> bearer(const std::string& key)
{
    return {{"Authorization", "Bearer " + key}};
}

} // namespace

TEST_CASE("/metrics needs the admin key or the metrics token", "[ops][metrics]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}, {"METRICS_TOKEN", metrics_token}});
    auto c = d.client();
    CHECK(c.get("/metrics").status == 401);
    CHECK(c.get("/metrics", bearer("wrong-token")).status == 401);
    auto by_token = c.get("/metrics", bearer(metrics_token));
    CHECK(by_token.status == 200);
    CHECK(by_token.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(c.get("/metrics", bearer(admin_key)).status == 200);
}

TEST_CASE("METRICS_ALLOW_LOOPBACK opens /metrics to loopback clients only", "[ops][metrics]")
{
    running_daemon closed;
    CHECK(closed.client().get("/metrics").status == 401);
    running_daemon open(std::map<std::string, std::string>{{"METRICS_ALLOW_LOOPBACK", "true"}});
    CHECK(open.client().get("/metrics").status == 200);
}

TEST_CASE("/metrics counts requests by route and status and passes promtool", "[ops][metrics]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}, {"BACKUP_INTERVAL", "1h"}});
    auto c = d.client();
    for (int i = 0; i < 3; ++i)
        REQUIRE(c.get("/health").status == 200);
    REQUIRE(c.get("/no/such/route").status == 404);
    REQUIRE(c.get("/status").status == 401);
    auto r = c.get("/metrics", bearer(admin_key));
    REQUIRE(r.status == 200);
    const auto& m = r.body;
    CHECK(m.find("cpamd_http_requests_total{route=\"/health\",code=\"200\"} 3\n") != std::string::npos);
    CHECK(m.find("cpamd_http_requests_total{route=\"-\",code=\"404\"} 1\n") != std::string::npos);
    CHECK(m.find("cpamd_http_requests_total{route=\"status\",code=\"401\"} 1\n") != std::string::npos);
    CHECK(m.find("cpamd_http_request_duration_seconds_count{route=\"/health\"} 3\n") != std::string::npos);
    for (const char* family :
         {"cpamd_ingest_events_total{result=\"inserted\"}",
          "cpamd_collector_state{state=\"stopped\"} 1",
          "cpamd_collector_reconnects_total",
          "cpamd_collector_spool_depth",
          "cpamd_store_batch_events_bucket{le=\"+Inf\"}",
          "cpamd_store_batch_duration_seconds_bucket{le=\"+Inf\"}",
          "cpamd_proxy_errors_total{kind=\"upstream_error\"}",
          "cpamd_database_size_bytes{file=\"wal\"}",
          "cpamd_backups_total{result=\"ok\"}",
          "process_resident_memory_bytes",
          "process_cpu_seconds_total",
          "process_open_fds"})
    {
        CAPTURE(family);
        CHECK(m.find(family) != std::string::npos);
    }

    // promtool is the judge.
    auto check = cpamd::test::promtool_check_metrics(m);
    INFO(check.output);
    REQUIRE(check.code != 127); // promtool missing: run scripts/deps test
    CHECK(check.code == 0);
    CHECK(check.output.empty());
}
