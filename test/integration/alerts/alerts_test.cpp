// Alerts end to end (docs/alerts.md): a real cpamd collecting from cpa-sim, records enqueued in
// the simulator that cross each rule's threshold, and real receivers on loopback: every rule
// fires once, holds its cool-down, recovers; each sink kind gets the notices in its own format;
// a dead receiver is retried and counted without holding up the others; secrets stay sealed in
// the database and masked in answers; /metrics counts the deliveries and passes promtool.

#include "alerts_fixture.hpp"
#include "ops_fixture.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/ports.hpp>
#include <fmt/format.h>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

using namespace cpamd::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace
{

const std::string hook_secret = "hook-secret-0123456789abcdef";
const std::string slack_path = "/slack/T000/B000/slack-secret-0123456789";
const std::string bot_token = "123456:telegram-secret-token-abcdef";
const std::string ntfy_token = "tk_ntfy-secret-0123456789abcdef";
const std::string cred_a = "00000000000000a1", cred_b = "00000000000000b2", cred_c = "00000000000000c3";

std::map<std::string, std::string> daemon_env(const traffic_sim& sim)
{
    auto env = collector_env(sim, "http");
    env["METRICS_TOKEN"] = "alerts-scrape-token";
    return env;
}

// The value of one sample in a /metrics answer (0 when absent).
double sample(const std::string& metrics, const std::string& series)
{
    auto at = metrics.find("\n" + series + " ");
    return at == std::string::npos ? 0 : std::stod(metrics.substr(at + series.size() + 2));
}

std::string scrape(running_daemon& d)
{
    auto r = d.client().get("/metrics", bearer("alerts-scrape-token"));
    REQUIRE(r.status == 200);
    return r.body;
}

std::size_t count_path(const std::vector<json::object>& got, const std::string& prefix)
{
    std::size_t n = 0;
    for (const auto& g : got)
        if (std::string_view(g.at("path").as_string()).starts_with(prefix))
            ++n;
    return n;
}

} // namespace

TEST_CASE("rate rules fire once, keep their cool-down and recover; each HTTP sink gets them", "[alerts]")
{
    receiver hooks("http");
    const auto dead = free_port(); // nothing listens there
    traffic_sim sim({});
    running_daemon d(daemon_env(sim));
    REQUIRE(wait_for_collector(d, "collector", "running", 20s));

    const auto config = fmt::format(
        R"({{"evaluateSeconds":1,"delivery":{{"timeoutSeconds":2,"retries":2}},"rules":[
  {{"id":"failures","kind":"failure_rate","threshold":0.5,"windowMinutes":5,"minRequests":10,"cooldownMinutes":0.25}},
  {{"id":"relogin","kind":"consecutive_failures","statuses":[401,403],"count":3,"cooldownMinutes":0.25}},
  {{"id":"slow","kind":"latency_p95","thresholdMs":20000,"windowMinutes":5,"minRequests":10,"cooldownMinutes":0.25}}],
"sinks":[
  {{"id":"hook","kind":"webhook","url":"{0}/hook","headers":{{"X-Token":"{1}"}}}},
  {{"id":"slack","kind":"slack","url":"{0}{2}"}},
  {{"id":"tg","kind":"telegram","botToken":"{3}","chatId":"-1001","apiBase":"{0}"}},
  {{"id":"ntfy","kind":"ntfy","url":"{0}/cpa-alerts","token":"{4}"}},
  {{"id":"dead","kind":"webhook","url":"http://127.0.0.1:{5}/gone"}}]}})",
        hooks.url(),
        hook_secret,
        slack_path,
        bot_token,
        ntfy_token,
        dead
    );
    auto put = call(d, "PUT", "/usage-service/alerts", config);
    REQUIRE(put.status == 200);

    // Secrets: masked in every answer, sealed in the database.
    const auto shown = json::serialize(call(d, "GET", "/usage-service/alerts").body) +
                       json::serialize(call(d, "GET", "/usage-service/config").body);
    for (const auto& secret : {hook_secret, slack_path.substr(16), bot_token, ntfy_token})
    {
        CHECK(shown.find(secret) == std::string::npos);
        CHECK(raw_database_bytes(d.data_dir() / "usage.sqlite").find(secret) == std::string::npos);
    }
    CHECK(shown.find("\"source\":\"db\"") != std::string::npos);
    // A PUT of what GET showed keeps the secrets (checked below: the sinks still get through).
    const auto answered = call(d, "GET", "/usage-service/alerts").body.at("alerts");
    REQUIRE(call(d, "PUT", "/usage-service/alerts", json::serialize(answered)).status == 200);

    // 12 failures of A (slow), 3 x 401 of B, 5 fast successes of C: 75 % failed, P95 30 s.
    std::vector<usage_record> burst = repeat({cred_a, 503, 30'000}, 12);
    for (auto& r : repeat({cred_b, 401, 200}, 3))
        burst.push_back(r);
    for (auto& r : repeat({cred_c, std::nullopt, 100}, 5))
        burst.push_back(r);
    feed(sim, d, burst, 20);

    REQUIRE(eventually(
        [&]
        {
            auto h = history(d);
            return !notices(h, "failures", "firing").empty() && !notices(h, "relogin", "firing").empty() &&
                   !notices(h, "slow", "firing").empty();
        },
        15s
    ));
    auto h = history(d);
    const auto first_failures = notices(h, "failures", "firing").at(0);
    CHECK(first_failures.at("subject") == "all");
    CHECK(first_failures.at("value").as_double() == Approx(15.0 / 20));
    CHECK(notices(h, "relogin", "firing").at(0).at("subject").as_string() == cred_b);
    CHECK(notices(h, "relogin", "firing").size() == 1);
    CHECK(notices(h, "slow", "firing").at(0).at("value").as_double() >= 20'000);

    // Every live sink gets the three, in its own format, while the dead one is still retrying.
    REQUIRE(eventually(
        [&]
        {
            auto got = hooks.received();
            return count_path(got, "/hook") == 3 && count_path(got, "/slack/") == 3 &&
                   count_path(got, "/bot") == 3 && count_path(got, "/cpa-alerts") == 3;
        },
        5s
    ));
    bool dead_done_early = false;
    for (const auto& item : history(d))
        for (const auto& del : item.at("deliveries").as_array())
            dead_done_early |= del.at("sink") == "dead";
    CHECK_FALSE(dead_done_early); // its retries pause 1 s, then 2 s
    for (const auto& g : hooks.received())
    {
        const std::string path(g.at("path").as_string());
        const auto& headers = g.at("headers").as_object();
        const auto body = std::string(g.at("body").as_string());
        if (path == "/hook")
        {
            CHECK(headers.at("x-token").as_string() == hook_secret);
            auto j = json::parse(body).as_object();
            CHECK(j.at("event") == "firing");
            CHECK(j.at("source") == "cpamd");
            CHECK(j.at("rule").at("kind").as_string().size() > 0);
        }
        else if (path == slack_path)
            CHECK(json::parse(body).at("text").as_string().starts_with("*[cpamd] FIRING"));
        else if (path == "/bot" + bot_token + "/sendMessage")
        {
            auto j = json::parse(body).as_object();
            CHECK(j.at("chat_id") == "-1001");
            CHECK(j.at("text").as_string().starts_with("[cpamd] FIRING"));
        }
        else if (path == "/cpa-alerts")
        {
            CHECK(headers.at("authorization").as_string() == "Bearer " + ntfy_token);
            CHECK(headers.at("title").as_string().starts_with("[cpamd] FIRING"));
            CHECK(body.find("Rule ") != std::string::npos);
        }
        else
            FAIL("unexpected request to " << path);
    }

    // The dead receiver: three attempts per notice, counted, never a secret in the error.
    REQUIRE(eventually(
        [&]
        {
            int failed = 0;
            for (const auto& item : history(d))
                for (const auto& del : item.at("deliveries").as_array())
                    failed += del.at("sink") == "dead" && del.at("ok") == false && del.at("attempts") == 3;
            return failed == 3;
        },
        15s
    ));

    // Still holding: no second notice within the cool-down.
    std::this_thread::sleep_for(2500ms);
    h = history(d);
    CHECK(notices(h, "failures", "firing").size() == 1);
    CHECK(notices(h, "slow", "firing").size() == 1);
    CHECK(notices(h, "relogin", "firing").size() == 1);

    // Recovery: B succeeds once; 300 fast successes bring the failure rate to 5 % and P95 down.
    std::vector<usage_record> calm = repeat({cred_c, std::nullopt, 100}, 300);
    calm.push_back({cred_b, std::nullopt, 150});
    feed(sim, d, calm, 321);
    REQUIRE(eventually(
        [&]
        {
            auto hh = history(d);
            return notices(hh, "failures", "resolved").size() == 1 &&
                   notices(hh, "relogin", "resolved").size() == 1 &&
                   notices(hh, "slow", "resolved").size() == 1;
        },
        10s
    ));

    // The failure rate climbs again within the cool-down: held back until the cool-down ends.
    feed(sim, d, repeat({cred_a, 503, 100}, 400), 721);
    REQUIRE(eventually(
        [&]
        {
            const auto answer = call(d, "GET", "/usage-service/alerts");
            for (const auto& a : answer.body.at("active").as_array())
                if (a.at("rule") == "failures")
                    return true;
            return false;
        },
        10s
    ));
    h = history(d);
    const auto first_at = first_failures.at("at").as_int64();
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()
    )
                            .count();
    if (now_ms - first_at < 14'000)
        CHECK(notices(h, "failures", "firing").size() == 1);
    REQUIRE(eventually([&] { return notices(history(d), "failures", "firing").size() == 2; }, 25s));
    const auto second = notices(history(d), "failures", "firing").at(1);
    CHECK(second.at("at").as_int64() - first_at >= 15'000);
    CHECK(notices(history(d), "slow", "firing").size() == 1);

    // /metrics: deliveries counted per sink and outcome, attempts, promtool.
    REQUIRE(eventually(
        [&]
        { return sample(scrape(d), R"(cpamd_alert_deliveries_total{sink="dead",outcome="failed"})") == 7; },
        15s
    ));
    const auto metrics = scrape(d);
    CHECK(sample(metrics, R"(cpamd_alert_deliveries_total{sink="hook",outcome="delivered"})") == 7);
    CHECK(sample(metrics, R"(cpamd_alert_deliveries_total{sink="hook",outcome="failed"})") == 0);
    CHECK(sample(metrics, R"(cpamd_alert_delivery_attempts_total{sink="dead"})") == 21);
    CHECK(sample(metrics, R"(cpamd_alert_notices_total{event="firing"})") == 4);
    CHECK(sample(metrics, R"(cpamd_alert_notices_total{event="resolved"})") == 3);
    auto check = promtool_check_metrics(metrics);
    INFO(check.output);
    CHECK(check.code == 0);

    // No secret in any stored error or message.
    const auto all = json::serialize(call(d, "GET", "/usage-service/alerts/history?limit=500").body);
    for (const auto& secret : {hook_secret, slack_path.substr(16), bot_token, ntfy_token})
        CHECK(all.find(secret) == std::string::npos);
}

TEST_CASE("collector, storage and budget rules; e-mail; the test button", "[alerts]")
{
    receiver mail("smtp");
    receiver hooks("http");
    traffic_sim sim({});
    running_daemon d(daemon_env(sim));
    REQUIRE(wait_for_collector(d, "collector", "running", 20s));

    auto config = [&](double budget_usd, double disk_mb)
    {
        return fmt::format(
            R"({{"evaluateSeconds":1,"timezone":"Asia/Kolkata","delivery":{{"timeoutSeconds":5,"retries":1}},"rules":[
  {{"id":"stalled","kind":"no_events","minutes":0.05,"cooldownMinutes":10}},
  {{"id":"offline","kind":"collector_disconnected","minutes":0.05,"cooldownMinutes":0}},
  {{"id":"disk","kind":"storage_size","file":"database","thresholdMb":{},"sinks":["mail"]}},
  {{"id":"daily","kind":"budget","period":"day","scope":"all","usd":{},"warnPercent":50}}],
"sinks":[
  {{"id":"mail","kind":"smtp","host":"127.0.0.1","port":{},"security":"none","from":"cpamd@example.org","to":["ops@example.org"]}},
  {{"id":"hook","kind":"webhook","url":"{}/hook"}}]}})",
            disk_mb,
            budget_usd,
            mail.port(),
            hooks.url()
        );
    };
    REQUIRE(call(d, "PUT", "/usage-service/alerts", config(1000, 0.001)).status == 200);

    // Connected, nothing collected: stalled; the database is above 1 KB: disk (to mail only).
    // Stalled's cool-down keeps a collector that reconnects under load (slow ASan runs) from
    // starting it over.
    REQUIRE(eventually(
        [&]
        {
            auto h = history(d);
            return !notices(h, "stalled", "firing").empty() && !notices(h, "disk", "firing").empty();
        },
        15s
    ));
    std::multiset<std::string> subjects;
    REQUIRE(eventually(
        [&]
        {
            subjects.clear();
            for (const auto& m : mail.received())
                subjects.insert(std::string(m.at("subject").as_string()));
            return subjects.count("[cpamd] FIRING stalled: collector") == 1 &&
                   subjects.count("[cpamd] FIRING disk: database") == 1;
        },
        20s
    ));
    for (const auto& m : mail.received())
    {
        CHECK(m.at("to").as_array().at(0) == "ops@example.org");
        CHECK(m.at("body").as_string().find("Rule ") != std::string::npos);
    }
    INFO(fmt::format("{}", fmt::join(subjects, ", ")));
    for (const auto& subject : subjects)
        CHECK(
            (subject == "[cpamd] FIRING stalled: collector" || subject == "[cpamd] FIRING disk: database" ||
             subject == "[cpamd] RESOLVED stalled: collector")
        );
    CHECK(hooks.received().size() == 1); // disk goes to mail only

    // One priced event: stalled resolves; its cost sets the budget so it is at 60 %.
    feed(sim, d, {{cred_c, std::nullopt, 100, "gpt-5", 200'000, 20'000}}, 1);
    REQUIRE(eventually([&] { return notices(history(d), "stalled", "resolved").size() == 1; }, 10s));
    double cost = 0;
    REQUIRE(eventually(
        [&]
        {
            cost = sample(scrape(d), R"(cpamd_usage_cost_usd_total{model="gpt-5",provider="codex"})");
            return cost > 0;
        },
        10s
    ));
    REQUIRE(call(d, "PUT", "/usage-service/alerts", config(cost / 0.6, 100'000)).status == 200);
    REQUIRE(eventually(
        [&]
        {
            auto h = history(d);
            return notices(h, "daily", "firing").size() == 1 && notices(h, "disk", "resolved").size() == 1;
        },
        10s
    ));
    auto warning = notices(history(d), "daily", "firing").at(0);
    CHECK(warning.at("level") == "warning");
    CHECK(warning.at("value").as_double() == Approx(cost));
    CHECK(warning.at("message").as_string().find("cannot block") != std::string::npos);
    // A second event: 120 % of the budget, critical at once (an escalation is not held back).
    feed(sim, d, {{cred_c, std::nullopt, 100, "gpt-5", 200'000, 20'000}}, 2);
    REQUIRE(eventually([&] { return notices(history(d), "daily", "firing").size() == 2; }, 10s));
    auto critical = notices(history(d), "daily", "firing").at(1);
    CHECK(critical.at("level") == "critical");
    CHECK(critical.at("value").as_double() == Approx(2 * cost));
    // The budget is raised: resolved (a budget otherwise resolves when its period ends).
    REQUIRE(call(d, "PUT", "/usage-service/alerts", config(cost * 10, 100'000)).status == 200);
    REQUIRE(eventually([&] { return notices(history(d), "daily", "resolved").size() == 1; }, 10s));
    CHECK(notices(history(d), "daily", "firing").size() == 2);

    // CPA answers 500 to everything: the collector loses it; back: it recovers.
    REQUIRE(sim.control("POST", "/_sim/faults", R"({"fail_500":-1})").status == 200);
    REQUIRE(eventually([&] { return notices(history(d), "offline", "firing").size() == 1; }, 30s));
    REQUIRE(sim.control("POST", "/_sim/faults", R"({"fail_500":0})").status == 200);
    REQUIRE(eventually([&] { return notices(history(d), "offline", "resolved").size() == 1; }, 30s));

    // The test button: one sink, every sink, an unknown one.
    auto one = call(d, "POST", "/usage-service/alerts/test", R"({"sink":"hook"})");
    REQUIRE(one.status == 200);
    REQUIRE(one.body.at("results").as_array().size() == 1);
    CHECK(one.body.at("results").at(0).at("ok") == true);
    auto every = call(d, "POST", "/usage-service/alerts/test", "{}");
    CHECK(every.body.at("results").as_array().size() == 2);
    CHECK(call(d, "POST", "/usage-service/alerts/test", R"({"sink":"nope"})").status == 404);
    CHECK(notices(history(d), "test", "test").size() == 2);
    CHECK(eventually([&] { return mail.received().size() >= 4; }, 5s)); // disk resolved + test
}

TEST_CASE("a bad alerts configuration is refused whole and changes nothing", "[alerts]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    const auto before = json::serialize(call(d, "GET", "/usage-service/alerts").body);
    const std::vector<std::pair<std::string, std::string>> bad{
        {R"({"rules":[{"id":"x","kind":"failure_rate","threshold":2}]})", "rules[0].threshold"},
        {R"({"rules":[{"id":"x","kind":"nope"}]})", "rules[0].kind"},
        {R"({"rules":[{"id":"x","kind":"budget","period":"year","usd":1}]})", "rules[0].period"},
        {R"({"rules":[{"id":"x","kind":"latency_p95"}]})", "rules[0].thresholdMs"},
        {R"({"rules":[{"id":"x","kind":"no_events"},{"id":"x","kind":"no_events"}]})", "rules[1].id"},
        {R"({"rules":[{"id":"x","kind":"no_events","sinks":["ghost"]}]})", "rules[0].sinks"},
        {R"({"sinks":[{"id":"s","kind":"webhook","url":"ftp://x"}]})", "sinks[0].url"},
        {R"({"sinks":[{"id":"s","kind":"smtp","host":"h","from":"a@b","to":[]}]})", "sinks[0].to"},
        {R"({"sinks":[{"id":"s","kind":"webhook","url":"http://x","headers":{"X-A":"1\r\nX-B: 2"}}]})",
         "sinks[0].headers"},
        {R"({"timezone":"Mars/Olympus"})", "timezone"},
        {R"({"evaluateSeconds":0})", "evaluateSeconds"},
        {R"([1,2])", ""},
    };
    for (const auto& [body, field] : bad)
    {
        auto a = call(d, "PUT", "/usage-service/alerts", body);
        INFO(body);
        CHECK(a.status == 400);
        if (!field.empty())
        {
            CHECK(a.body.at("code") == "invalid_alerts");
            CHECK(std::string(a.body.at("error").as_string()).starts_with(field));
        }
    }
    auto garbage = d.client().request("PUT", "/usage-service/alerts", "{not json", bearer(admin_key));
    CHECK(garbage.status == 400);
    CHECK(d.client().request("GET", "/usage-service/alerts", {}, bearer("wrong-key")).status == 401);
    CHECK(call(d, "GET", "/usage-service/alerts/history?limit=0").status == 400);
    CHECK(call(d, "POST", "/usage-service/alerts/test", "{}").status == 409); // no sink yet
    CHECK(json::serialize(call(d, "GET", "/usage-service/alerts").body) == before);
}

TEST_CASE("alerts from config.json are shown masked and cannot be changed through the API", "[alerts]")
{
    temp_dir dir;
    const auto file = dir.path() / "config.json";
    std::ofstream(file
    ) << R"({"alerts":{"evaluateSeconds":5,"rules":[{"id":"disk","kind":"storage_size","thresholdMb":4096}],
        "sinks":[{"id":"hook","kind":"webhook","url":"http://127.0.0.1:9/x","headers":{"Authorization":"Bearer file-secret-0123456789"}}]}})";
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}, {"CPA_MANAGER_CONFIG", file.string()}});
    auto a = call(d, "GET", "/usage-service/alerts");
    REQUIRE(a.status == 200);
    CHECK(a.body.at("source") == "file");
    CHECK(a.body.at("alerts").at("rules").as_array().size() == 1);
    const auto shown = json::serialize(a.body);
    CHECK(shown.find("file-secret-0123456789") == std::string::npos);
    CHECK(shown.find("****") != std::string::npos);
    auto put = call(d, "PUT", "/usage-service/alerts", R"({"rules":[]})");
    CHECK(put.status == 409);
    CHECK(put.body.at("code") == "alerts_managed_by_file");
    auto via_config = call(d, "PUT", "/usage-service/config", R"({"config":{"alerts":{"rules":[]}}})");
    CHECK(via_config.status == 409);
    CHECK(call(d, "GET", "/usage-service/alerts").body.at("alerts").at("rules").as_array().size() == 1);
}

TEST_CASE("a restart keeps what was firing: not told twice, resolved when it clears", "[alerts]")
{
    receiver hooks("http");
    temp_dir dir;
    const std::map<std::string, std::string> env{
        {"CPA_MANAGER_ADMIN_KEY", admin_key}, {"METRICS_TOKEN", "alerts-scrape-token"}};
    auto config = [&](double disk_mb)
    {
        return fmt::format(
            R"({{"evaluateSeconds":1,"rules":[{{"id":"disk","kind":"storage_size","thresholdMb":{}}}],
                "sinks":[{{"id":"hook","kind":"webhook","url":"{}/hook"}}]}})",
            disk_mb,
            hooks.url()
        );
    };
    {
        auto d = start_daemon(dir, env);
        REQUIRE(call(*d, "PUT", "/usage-service/alerts", config(0.001)).status == 200);
        REQUIRE(eventually([&] { return hooks.received().size() == 1; }, 10s));
        stop_daemon(*d);
    }
    auto d = start_daemon(dir, env);
    REQUIRE(eventually([&] { return sample(scrape(*d), "cpamd_alert_evaluations_total") >= 3; }, 15s));
    CHECK(notices(history(*d), "disk", "firing").size() == 1);
    CHECK(hooks.received().size() == 1);
    const auto answer = call(*d, "GET", "/usage-service/alerts");
    REQUIRE(answer.body.at("active").as_array().size() == 1);
    CHECK(answer.body.at("active").at(0).at("rule") == "disk");
    REQUIRE(call(*d, "PUT", "/usage-service/alerts", config(100'000)).status == 200);
    REQUIRE(eventually([&] { return hooks.received().size() == 2; }, 10s));
    CHECK(json::parse(hooks.received().at(1).at("body").as_string()).at("event") == "resolved");
    CHECK(notices(history(*d), "disk", "resolved").size() == 1);
}
