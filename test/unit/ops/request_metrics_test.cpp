#include <catch2/catch.hpp>
#include <cpamd/ops/request_metrics.hpp>

using namespace std::chrono_literals;

TEST_CASE("requests are counted by route and status, latency per route", "[request_metrics]")
{
    cpamd::ops::request_metrics m;
    m.record("/health", 200, 300us);
    m.record("/health", 200, 2ms);
    m.record("status", 401, 40ms);
    m.record("proxy", 0, 1s);
    cpamd::ops::prometheus_text out;
    m.write(out);
    const auto& t = out.text();
    CHECK(t.find("cpamd_http_requests_total{route=\"/health\",code=\"200\"} 2\n") != std::string::npos);
    CHECK(t.find("cpamd_http_requests_total{route=\"status\",code=\"401\"} 1\n") != std::string::npos);
    CHECK(t.find("cpamd_http_requests_total{route=\"proxy\",code=\"none\"} 1\n") != std::string::npos);
    CHECK(
        t.find("cpamd_http_request_duration_seconds_bucket{route=\"/health\",le=\"0.001\"} 1\n") !=
        std::string::npos
    );
    CHECK(
        t.find("cpamd_http_request_duration_seconds_bucket{route=\"/health\",le=\"0.0025\"} 2\n") !=
        std::string::npos
    );
    // A value equal to a bound belongs to that bucket (le is "less or equal").
    CHECK(
        t.find("cpamd_http_request_duration_seconds_bucket{route=\"proxy\",le=\"0.5\"} 0\n") !=
        std::string::npos
    );
    CHECK(
        t.find("cpamd_http_request_duration_seconds_bucket{route=\"proxy\",le=\"1\"} 1\n") !=
        std::string::npos
    );
    CHECK(t.find("cpamd_http_request_duration_seconds_count{route=\"status\"} 1\n") != std::string::npos);
}
