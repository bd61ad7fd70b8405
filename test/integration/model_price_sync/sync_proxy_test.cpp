// The price sync fetches through CPA's proxy-url (read from cpa-sim's /v0/management/config)
// when cpamd is connected to CPA and CPA has one.

#include "sync_rig.hpp"
#include "test_proxy.hpp"

#include <catch2/catch.hpp>
#include <cpamd/test/cpa_sim.hpp>
#include <cpamd/test/ports.hpp>

using namespace cpamd::test;
namespace json = boost::json;

namespace
{

void set_proxy_url(sim_process& sim, const std::string& url)
{
    auto r = sim.mgmt("PUT", "/v0/management/config.yaml", "proxy-url: \"" + url + "\"\n");
    REQUIRE(r.status == 200);
}

std::map<std::string, std::string> connected_to(const sim_process& sim)
{
    return {
        {"CPA_UPSTREAM_URL", sim.url()},
        {"CPA_MANAGEMENT_KEY", sim_management_key},
        {"USAGE_COLLECTOR_MODE", "http"},
    };
}

bool saw(const test_proxy& px, const std::string& line)
{
    auto s = px.seen();
    return std::find(s.begin(), s.end(), line) != s.end();
}

} // namespace

TEST_CASE("CPA's proxy-url carries every source fetch", "[daemon][prices][sync][proxy]")
{
    sim_process sim;
    test_proxy px;
    set_proxy_url(sim, "http://127.0.0.1:" + std::to_string(px.port()));
    sync_rig rig(connected_to(sim));

    auto r = rig.sync_ok(R"({"models":["gpt-5","grok-4"]})");
    CHECK(r.at("proxyUsed") == true);
    CHECK(r.at("imported") == 2);
    CHECK(saw(px, "GET " + rig.prices.url(models_dev_path) + " HTTP/1.1"));
    CHECK(saw(px, "GET " + rig.prices.url(litellm_path) + " HTTP/1.1"));
    CHECK(saw(px, "GET " + rig.prices.url(openrouter_path) + " HTTP/1.1"));
    CHECK(rig.stored().at("grok-4").at("source") == "openrouter");

    SECTION("a SOCKS5 proxy-url")
    {
        test_proxy socks;
        set_proxy_url(sim, "socks5h://127.0.0.1:" + std::to_string(socks.port()));
        auto s = rig.sync_ok(R"({"models":["gpt-5"]})");
        CHECK(s.at("proxyUsed") == true);
        CHECK(saw(socks, "SOCKS5 127.0.0.1:" + std::to_string(rig.prices.port())));
    }
    SECTION("no proxy-url: direct")
    {
        set_proxy_url(sim, "");
        const auto before = px.seen().size();
        auto s = rig.sync_ok(R"({"models":["gpt-5"]})");
        CHECK(s.at("proxyUsed") == false);
        CHECK(px.seen().size() == before);
    }
    SECTION("a proxy-url cpamd cannot use: 502, nothing fetched or written")
    {
        set_proxy_url(sim, "ftp://127.0.0.1:21");
        const auto fetched = rig.prices.requests().size();
        auto before = rig.stored();
        auto s = rig.sync(R"({"models":["gpt-4.1"]})");
        CHECK(s.status == 502);
        auto e = json::parse(s.body);
        CHECK(e.at("code") == "model_price_sync_failed");
        CHECK(e.at("error").as_string().find("unsupported proxy scheme \"ftp\"") != json::string::npos);
        CHECK(rig.prices.requests().size() == fetched);
        CHECK(rig.stored() == before);
    }
    SECTION("the proxy down: every source fails, 502")
    {
        set_proxy_url(sim, "http://127.0.0.1:" + std::to_string(free_port()));
        auto s = rig.sync(R"({"models":["gpt-5"]})");
        CHECK(s.status == 502);
        CHECK(
            json::parse(s.body).at("error").as_string().find("connect proxy 127.0.0.1") != json::string::npos
        );
    }
    SECTION("the bundled catalog never goes out")
    {
        const auto before = px.seen().size();
        auto s = rig.sync_ok(R"({"source":"bundled","models":["gpt-4.1"]})");
        CHECK(s.at("proxyUsed") == false);
        CHECK(px.seen().size() == before);
    }
}

TEST_CASE("CPA unreachable: the sync goes direct", "[daemon][prices][sync][proxy]")
{
    sync_rig rig(std::map<std::string, std::string>{
        {"CPA_UPSTREAM_URL", "http://127.0.0.1:" + std::to_string(free_port())},
        {"CPA_MANAGEMENT_KEY", "some-key"},
        {"USAGE_COLLECTOR_MODE", "http"},
    });
    auto r = rig.sync_ok(R"({"models":["gpt-5"]})");
    CHECK(r.at("proxyUsed") == false);
    CHECK(r.at("imported") == 1);
}
