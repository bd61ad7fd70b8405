// When CPA cannot answer: not configured (428), down (502), too slow (504). Always JSON, always
// quickly, never a hang.

#include "proxy_fixture.hpp"

#include <catch2/catch.hpp>
#include <cpamd/test/ports.hpp>
#include <csignal>
#include <thread>

using namespace cpamd::test;
using namespace std::chrono_literals;

namespace
{

std::chrono::milliseconds time_of(const std::function<void()>& f)
{
    auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

} // namespace

TEST_CASE("before setup every proxied path answers 428")
{
    temp_dir dir;
    auto d = start_daemon(dir, {{"CPA_MANAGER_ADMIN_KEY", proxy_admin_key}});
    auto c = d->client();
    for (auto target : {"/v0/management/config", "/v0/management/some-plugin/x", "/v1/models", "/models"})
    {
        INFO(target);
        auto r = c.get(target, admin_headers());
        CHECK(r.status == 428);
        CHECK(r.header("content-type") == "application/json");
        CHECK(parse(r.body).at("code") == "usage_service_not_configured");
    }
    // The admin gate still comes first on CPA's own paths.
    CHECK(c.get("/v0/management/config").status == 401);
    // Manager-only features cpamd does not serve are never proxied.
    CHECK(c.get("/v0/management/codex-inspection/runs", admin_headers()).status == 501);
    stop_daemon(*d);
}

TEST_CASE("CPA down: 502 request_failed at once, also after it was up")
{
    temp_dir dir;
    const auto closed_port = free_port();
    auto d = start_proxy_daemon(dir, "http://127.0.0.1:" + std::to_string(closed_port));
    auto c = d->client();
    http_reply r;
    auto took = time_of([&] { r = c.get("/v0/management/config", admin_headers()); });
    CHECK(r.status == 502);
    CHECK(parse(r.body).at("code") == "request_failed");
    CHECK(parse(r.body).at("error").as_string().find("connection refused") != std::string::npos);
    CHECK(took < 2s);
    CHECK(r.keep_alive); // a bodiless request's connection stays usable
    CHECK(c.get("/v0/management/config", admin_headers()).status == 502);
    stop_daemon(*d);
}

TEST_CASE("CPA stopped after answering: the pooled connection is dropped and the next call gets 502")
{
    temp_dir dir;
    auto sim = std::make_unique<sim_process>();
    auto d = start_proxy_daemon(dir, sim->url());
    auto c = d->client();
    REQUIRE(c.get("/v0/management/config", admin_headers()).status == 200);
    sim->process().signal(SIGKILL);
    sim->process().wait(5s);
    http_reply r;
    auto took = time_of([&] { r = c.get("/v0/management/config", admin_headers()); });
    CHECK(r.status == 502);
    CHECK(took < 2s);
    stop_daemon(*d);
}

TEST_CASE("slow CPA: 504 after the proxy's idle timeout")
{
    temp_dir dir;
    sim_process sim({"--delay-ms", "4000"});
    auto d = start_proxy_daemon(dir, sim.url(), {{"CPAMD_PROXY_IDLE_TIMEOUT_SECONDS", "1"}});
    auto c = d->client(10s);
    http_reply r;
    auto took = time_of([&] { r = c.get("/v0/management/config", admin_headers()); });
    CHECK(r.status == 504);
    CHECK(parse(r.body).at("code") == "request_failed");
    CHECK(took >= 900ms);
    CHECK(took < 3500ms);
    stop_daemon(*d);
}

TEST_CASE("a client that hangs up cancels its upstream request at once")
{
    temp_dir dir;
    sim_process sim({"--delay-ms", "4000"});
    auto d = start_proxy_daemon(dir, sim.url());
    auto aborts = [&] { return proxy_client_aborts(*d); };
    REQUIRE(aborts() == 0);
    {
        stream_client c(d->port());
        c.send("GET", "/v0/management/config", admin_headers());
        std::this_thread::sleep_for(300ms);
    } // hangs up while CPA is still "thinking"
    // Noticed long before CPA's answer (4 s) would have shown the client was gone.
    auto deadline = std::chrono::steady_clock::now() + 1500ms;
    while (aborts() != 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    CHECK(aborts() == 1);
    stop_daemon(*d);
}

TEST_CASE("the client's own timeouts do not cut a request waiting on a slow CPA")
{
    // The connection's idle and header timeouts (1 s here) time the client's reads and writes,
    // never the wait for CPA (the proxy's idle timeout, 300 s by default): the answer after 2.5 s
    // arrives, and a client hanging up after that long is still noticed at once.
    temp_dir dir;
    sim_process sim({"--delay-ms", "2500"});
    auto d = start_proxy_daemon(dir, sim.url(), {{"CPAMD_IDLE_TIMEOUT_SECONDS", "1"}});
    auto c = d->client(10s);
    auto r = c.get("/v0/management/config", admin_headers());
    CHECK(r.status == 200);
    CHECK(r.body == sim.mgmt("GET", "/v0/management/config").body);

    auto aborts = [&] { return proxy_client_aborts(*d); };
    REQUIRE(aborts() == 0);
    {
        stream_client leaving(d->port());
        leaving.send("GET", "/v0/management/config", admin_headers());
        std::this_thread::sleep_for(1500ms); // past the stale idle deadline
    }
    auto deadline = std::chrono::steady_clock::now() + 800ms;
    while (aborts() != 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    CHECK(aborts() == 1);
    stop_daemon(*d);
}
