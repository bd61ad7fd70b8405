// No caller can make CPA count a failed login against cpamd, and the admin key never leaves
// cpamd, in any branch (issue 17 items 1 and 2; docs/security.md "What reaches CPA"). cpa-sim
// keeps CPA's ban table (5 failures from one address: 30 minutes) and records every request, so
// each rule is checked on the receiving side.

#include "proxy_fixture.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace cpamd::test;

namespace
{

bool forwarded_anything(sim_process& sim)
{
    return !sim_requests(sim).empty();
}

// CPA still lets cpamd's address in: a direct call with the right key from 127.0.0.1.
bool cpamd_address_allowed(sim_process& sim)
{
    return sim.mgmt("GET", "/v0/management/config").status == 200;
}

void check_admin_key_never_sent(sim_process& sim)
{
    auto r = sim.control("GET", "/_sim/last-requests?n=200");
    REQUIRE(r.status == 200);
    CHECK(r.body.find(proxy_admin_key) == std::string::npos);
}

} // namespace

TEST_CASE("callers without the admin key cannot get cpamd's address banned at CPA")
{
    temp_dir dir;
    sim_process sim;
    // cpamd's own throttle out of the way: this is about what reaches CPA.
    auto d = start_proxy_daemon(dir, sim.url(), {{"CPAMD_AUTH_MAX_FAILURES", "1000"}});
    clear_sim_requests(sim);
    auto c = d->client();

    // CPA's own routes that the spec's list does not name, in every spelling, with no key, a
    // wrong key, a wrong X-Management-Key and a spoofed X-Forwarded-For naming cpamd's address.
    const std::vector<std::string> paths = {
        "/v0/management/logs",
        "/v0/management/api-keys",
        "/v0/management/usage-queue?count=1",
        "/v0/management//logs",
        "/v0/management/Logs",
        "/v0/management/%6cogs",
        "/v0/management/%2flogs",
        "/v0/management/config.yaml",
    };
    const std::vector<std::map<std::string, std::string>> callers = {
        {},
        {{"Authorization", "Bearer wrong"}},
        {{"X-Management-Key", "wrong"}},
        {{"X-Forwarded-For", "127.0.0.1"}, {"Authorization", "Bearer wrong"}},
    };
    for (const auto& path : paths)
        for (const auto& headers : callers)
        {
            INFO(path << " with " << headers.size() << " headers");
            auto r = c.get(path, headers);
            CHECK(r.status == 401);
            CHECK(parse(r.body).at("code") == "invalid_admin_key");
        }

    // Plugin paths: no key, a wrong key, a spoofed chain, the admin key in X-Management-Key.
    for (const auto& headers : callers)
    {
        CHECK(c.get("/v0/management/my-plugin/items", headers).status == 401);
        CHECK(c.get("/v0/resource/plugins/my-plugin/app.js", headers).status == 401);
    }
    CHECK(c.get("/v0/management/my-plugin/items", {{"X-Management-Key", proxy_admin_key}}).status == 401);

    CHECK_FALSE(forwarded_anything(sim));
    CHECK(cpamd_address_allowed(sim));
    // And the daemon itself still gets through.
    CHECK(c.get("/v0/management/config", admin_headers()).status == 200);
    stop_daemon(*d);
}

TEST_CASE("a plugin caller with CPA's own key is forwarded under the address cpamd saw")
{
    temp_dir dir;
    sim_process sim({"--allow-remote"});
    auto d = start_proxy_daemon(dir, sim.url());
    clear_sim_requests(sim);
    auto c = d->client();

    for (const auto& credential : std::vector<std::map<std::string, std::string>>{
             {{"Authorization", "Bearer " + sim_management_key}, {"X-Management-Key", proxy_admin_key}},
             {{"X-Management-Key", sim_management_key}}})
    {
        auto headers = credential;
        headers["X-Forwarded-For"] = "198.51.100.9, 127.0.0.1";
        headers["X-Real-IP"] = "127.0.0.1";
        headers["Forwarded"] = "for=127.0.0.1";
        auto r = c.get("/v0/management/my-plugin/items", headers);
        CHECK(r.status == 404); // CPA (gin's NoRoute) answered
        auto log = sim_requests(sim);
        REQUIRE(log.size() == 1);
        const auto& got = log.front();
        CHECK(
            header_values(got, "authorization") == std::vector<std::string>{"Bearer " + sim_management_key}
        );
        CHECK(header_values(got, "x-forwarded-for") == std::vector<std::string>{"127.0.0.1"});
        CHECK(header_values(got, "x-real-ip").empty());
        CHECK(header_values(got, "forwarded").empty());
        CHECK(header_values(got, "x-management-key").empty());
        clear_sim_requests(sim);
    }
    check_admin_key_never_sent(sim);
    stop_daemon(*d);
}

TEST_CASE("the admin key never reaches CPA: throttled, plugin, resource, models and 401 branches")
{
    temp_dir dir;
    sim_process sim({"--client-key", "client-key-1"});
    auto d = start_proxy_daemon(dir, sim.url(), {{"CPAMD_AUTH_MAX_FAILURES", "2"}});
    clear_sim_requests(sim);
    auto c = d->client();
    const auto admin = admin_headers();

    // Not throttled: the admin on plugin and resource paths goes with the stored key; an admin
    // key also sent as X-Management-Key is dropped.
    auto with_both = admin;
    with_both["X-Management-Key"] = proxy_admin_key;
    c.get("/v0/management/my-plugin/items", with_both);
    c.get("/v0/resource/plugins/my-plugin/app.js", with_both);
    c.get("/v0/management/config", with_both);
    auto log = sim_requests(sim);
    REQUIRE(log.size() == 3);
    for (const auto& req : log)
    {
        CHECK(
            header_values(req, "authorization") == std::vector<std::string>{"Bearer " + sim_management_key}
        );
        CHECK(header_values(req, "x-management-key").empty());
    }
    clear_sim_requests(sim);

    // /models and /v1/models: the admin key in any credential position stays here; a client key
    // still goes on.
    c.get("/v1/models", admin);
    c.get("/v1/models", {{"X-Api-Key", proxy_admin_key}});
    c.get("/v1/models", {{"X-Goog-Api-Key", proxy_admin_key}});
    c.get("/models?key=" + proxy_admin_key + "&x=1", {});
    auto client = c.get("/v1/models", {{"Authorization", "Bearer client-key-1"}});
    CHECK(client.status == 200);
    log = sim_requests(sim);
    REQUIRE(log.size() == 5);
    CHECK(log.at(3).at("target") == "/models?x=1");
    CHECK(header_values(log.at(4), "authorization") == std::vector<std::string>{"Bearer client-key-1"});
    check_admin_key_never_sent(sim);
    clear_sim_requests(sim);

    // Throttle this address with wrong keys, then send the right one everywhere.
    for (int i = 0; i < 2; ++i)
        c.get("/status", bearer("cpamp_wrongwrongwrongwrongwrongwron"));
    REQUIRE(c.get("/status", admin).status == 429);
    for (const auto* path :
         {"/v0/management/my-plugin/items",
          "/v0/resource/plugins/my-plugin/app.js",
          "/v0/management/config",
          "/v0/management/logs"})
    {
        INFO(path);
        auto r = c.get(path, with_both);
        CHECK(r.status == 429);
        CHECK(parse(r.body).at("code") == "too_many_auth_failures");
    }
    CHECK_FALSE(forwarded_anything(sim));
    check_admin_key_never_sent(sim);
    auto out = stop_daemon(*d);
    CHECK(out.find(proxy_admin_key) == std::string::npos);
}

TEST_CASE("Manager-only families are answered by cpamd, never forwarded")
{
    temp_dir dir;
    sim_process sim;
    auto d = start_proxy_daemon(dir, sim.url());
    clear_sim_requests(sim);
    auto c = d->client();
    for (const auto* path :
         {"/v0/management/account-action-candidates",
          "/v0/management/codex-inspection/runs",
          "/v0/management/quota-snapshots/query",
          "/v0/management//codex-inspection/runs"})
    {
        INFO(path);
        auto r = c.get(path, admin_headers());
        CHECK(r.status == 501);
        CHECK(parse(r.body).at("code") == "not_implemented");
        CHECK(c.get(path).status == 401);
    }
    // A family cpamd serves answers a wrong method or sub-path itself, as upstream (405).
    for (const auto* path : {"/v0/management/monitoring/analytics", "/v0/management//monitoring/analytics"})
    {
        INFO(path);
        auto r = c.get(path, admin_headers());
        CHECK(r.status == 405);
        CHECK(parse(r.body).at("code") == "method_not_allowed");
        CHECK(c.get(path).status == 401);
    }
    auto unknown_usage = c.get("/v0/management/usage/unknown", admin_headers());
    CHECK(unknown_usage.status == 405);
    CHECK(parse(unknown_usage.body).at("code") == "method_not_allowed");

    // model-prices is served (issue 18): GET answers locally; a method or sub-path cpamd lacks is
    // 405 in any spelling, 401 without the admin key.
    auto prices = c.get("/v0/management/model-prices", admin_headers());
    CHECK(prices.status == 200);
    CHECK(parse(prices.body).at("prices").is_object());
    for (const auto* path :
         {"/v0/management/model-prices/unknown",
          "/v0/management/Model-Prices",
          "/v0/management/%6dodel-prices",
          "/v0/management/model-prices/"})
    {
        INFO(path);
        auto r = c.get(path, admin_headers());
        CHECK(r.status == 405);
        CHECK(parse(r.body).at("code") == "method_not_allowed");
        CHECK(c.get(path).status == 401);
    }
    for (const auto* method : {"DELETE", "POST", "PATCH"})
    {
        INFO(method);
        auto r = c.request(method, "/v0/management/model-prices", "{}", admin_headers());
        CHECK(r.status == 405);
        CHECK(parse(r.body).at("code") == "method_not_allowed");
    }
    // dashboard is served (issue 19): the summary answers locally (400 without today_start_ms);
    // any other sub-path, spelling or method is 405, 401 without the admin key.
    auto summary = c.get("/v0/management/dashboard/summary", admin_headers());
    CHECK(summary.status == 400);
    CHECK(c.get("/v0/management/dashboard/summary?today_start_ms=1&now_ms=2", admin_headers()).status == 200);
    for (const auto* path :
         {"/v0/management/dashboard/unknown", "/v0/management/Dashboard/summary", "/v0/management/dashboard"})
    {
        INFO(path);
        auto r = c.get(path, admin_headers());
        CHECK(r.status == 405);
        CHECK(parse(r.body).at("code") == "method_not_allowed");
        CHECK(c.get(path).status == 401);
    }
    CHECK(c.request("POST", "/v0/management/dashboard/summary", "{}", admin_headers()).status == 405);
    CHECK_FALSE(forwarded_anything(sim));
    stop_daemon(*d);
}
