// GET /v0/management/dashboard/summary on the real daemon (analytics-api §2): the shape of the
// answer, 400 naming a bad parameter, 401 without the admin key, 405 for another method.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>
#include <fmt/format.h>
#include <map>

using cpamd::test::running_daemon;
namespace json = boost::json;

namespace
{

const std::string admin_key = "cpamp_dashboardadminkey0123456789";
constexpr std::int64_t today_start_ms = 1'793'577'600'000; // 2026-11-02T00:00Z

std::map<std::string, std::string> admin()
{
    return {{"Authorization", "Bearer " + admin_key}, {"Content-Type", "application/json"}};
}

std::string record(int i, int hour, bool failed)
{
    return fmt::format(
        R"({{"timestamp":"2026-11-02T{:02}:{:02}:00Z","provider":"codex","model":"gpt-5.5","api_key":"sk-{}",)"
        R"("auth_index":"00000000000000a{}","endpoint":"POST /v1/responses","auth_type":"oauth",)"
        R"("request_id":"{:08x}","failed":{},"latency_ms":{},)"
        R"("tokens":{{"input_tokens":100,"output_tokens":10,"total_tokens":110}}}})",
        hour,
        i % 60,
        i % 2,
        i % 3,
        i,
        failed ? "true" : "false",
        100 + i
    );
}

std::string url(std::int64_t now_ms)
{
    return fmt::format(
        "/v0/management/dashboard/summary?today_start_ms={}&now_ms={}", today_start_ms, now_ms
    );
}

} // namespace

TEST_CASE("dashboard summary through the daemon", "[daemon][dashboard]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    auto c = d.client();
    std::string body;
    for (int i = 0; i < 30; ++i)
        body += record(i, i < 20 ? 5 : 7, i % 10 == 0) + "\n";
    REQUIRE(c.request("POST", "/v0/management/usage/import", body, admin()).status == 200);

    const std::int64_t now_ms = today_start_ms + 8 * 3'600'000;
    auto r = c.request("GET", url(now_ms), {}, admin());
    REQUIRE(r.status == 200);
    auto v = json::parse(r.body).as_object();
    for (const auto* key :
         {"generated_at_ms",
          "window",
          "today",
          "rolling_30m",
          "top_models_today",
          "model_cost_rank",
          "traffic_timeline",
          "hourly_activity",
          "today_request_health_timeline",
          "token_mix",
          "channel_health",
          "failure_sources",
          "recent_failures"})
    {
        INFO(key);
        CHECK(v.contains(key));
    }
    CHECK(v.at("window").at("rolling_30m_start_ms").as_int64() == now_ms - 1'800'000);
    auto today = v.at("today").as_object();
    CHECK(today.at("total_calls").as_int64() == 30);
    CHECK(today.at("failure_calls").as_int64() == 3);
    CHECK(today.at("total_tokens").as_int64() == 30 * 110);
    CHECK(today.at("average_latency_ms").is_number());
    CHECK(v.at("traffic_timeline").as_array().size() == 24);
    CHECK(v.at("traffic_timeline").as_array().at(5).at("calls").as_int64() == 20);
    CHECK(v.at("traffic_timeline").as_array().at(5).at("calls_share").to_number<double>() == 1.0);
    CHECK(v.at("hourly_activity").as_array().size() == 24);
    auto health = v.at("today_request_health_timeline").as_object();
    CHECK(health.at("points").as_array().size() == 144);
    CHECK(health.at("total_calls").as_int64() == 30);
    CHECK(health.at("points").as_array().at(143).at("tone").as_string() == "future");
    CHECK(v.at("token_mix").as_array().size() == 4);
    CHECK(v.at("top_models_today").as_array().at(0).at("model").as_string() == "gpt-5.5");
    auto failures = v.at("recent_failures").as_array();
    CHECK(failures.size() == 3);
    CHECK(failures.at(0).as_object().contains("api_key_alias"));
    CHECK(failures.at(0).at("id").as_int64() > 0);
    CHECK(failures.at(0).at("timestamp_ms").as_int64() > failures.at(1).at("timestamp_ms").as_int64());
    CHECK_FALSE(v.at("channel_health").as_array().empty());
    CHECK_FALSE(v.at("failure_sources").as_array().empty());

    SECTION("bad parameters are 400 naming the parameter")
    {
        for (const auto& [path, name] : std::vector<std::pair<std::string, std::string>>{
                 {"/v0/management/dashboard/summary", "today_start_ms"},
                 {"/v0/management/dashboard/summary?today_start_ms=0", "today_start_ms"},
                 {"/v0/management/dashboard/summary?today_start_ms=abc", "today_start_ms"},
                 {url(today_start_ms - 1), "now_ms"},
                 {url(now_ms) + "&top_models=x", "top_models"},
                 {url(now_ms) + "&recent_failures=1.5", "recent_failures"}})
        {
            INFO(path);
            auto bad = c.request("GET", path, {}, admin());
            CHECK(bad.status == 400);
            auto e = json::parse(bad.body).as_object();
            CHECK(std::string(e.at("error").as_string()).find(name) != std::string::npos);
            CHECK(e.contains("code"));
        }
    }
    SECTION("auth and methods")
    {
        CHECK(c.request("GET", url(now_ms), {}, {}).status == 401);
        auto wrong = c.request("POST", url(now_ms), "{}", admin());
        CHECK(wrong.status == 405);
        CHECK(json::parse(wrong.body).as_object().contains("code"));
        CHECK(c.request("GET", "/v0/management/dashboard/unknown", {}, admin()).status == 405);
    }
}
