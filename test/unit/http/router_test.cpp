#include <catch2/catch.hpp>
#include <cpamd/http/router.hpp>

namespace
{

using cpamd::http::router;
using verb = cpamd::http::bhttp::verb;

cpamd::http::asio::awaitable<cpamd::http::response> no_op(cpamd::http::exchange&)
{
    co_return cpamd::http::response{};
}

// The router never calls handlers; routes are told apart by their option names.
cpamd::http::handler named(std::string)
{
    return [](cpamd::http::exchange& ex) { return no_op(ex); };
}

router sample()
{
    router r;
    r.add({verb::get}, "/health", named("health"), {.name = "health"});
    r.add({verb::get, verb::put}, "/usage-service/config", named("config"), {.name = "config"});
    r.add({verb::get}, "/v0/management/usage", named("usage"), {.name = "usage"});
    r.add({verb::get}, "/v0/management/usage/import-sessions/{id}", named("session"), {.name = "session"});
    r.add({verb::put}, "/v0/management/usage/import-sessions/{id}/chunk", named("chunk"), {.name = "chunk"});
    r.add({}, "/v0/management/*", named("proxy"), {.name = "proxy"});
    r.add({verb::get}, "/v0/management/model-prices/*", named("prices"), {.name = "prices"});
    return r;
}

} // namespace

TEST_CASE("exact routes match by method and path", "[router]")
{
    auto r = sample();
    auto m = r.find(verb::get, "/health");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "health");

    m = r.find(verb::put, "/usage-service/config");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "config");
}

TEST_CASE("unknown paths are not found and wrong methods are 405", "[router]")
{
    auto r = sample();
    CHECK(r.find(verb::get, "/nope").result == router::outcome::not_found);
    CHECK(r.find(verb::get, "/health/").result == router::outcome::not_found);
    CHECK(r.find(verb::get, "/healthz").result == router::outcome::not_found);
    CHECK(r.find(verb::post, "/health").result == router::outcome::method_not_allowed);
    CHECK(r.find(verb::delete_, "/usage-service/config").result == router::outcome::method_not_allowed);
}

TEST_CASE("parameters capture one segment", "[router]")
{
    auto r = sample();
    auto m = r.find(verb::get, "/v0/management/usage/import-sessions/abc123");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "session");
    REQUIRE(m.params.size() == 1);
    CHECK(m.params[0] == std::pair<std::string, std::string>{"id", "abc123"});

    m = r.find(verb::put, "/v0/management/usage/import-sessions/abc123/chunk");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "chunk");
}

TEST_CASE("a literal route beats a tail route, and a longer tail beats a shorter one", "[router]")
{
    auto r = sample();
    auto m = r.find(verb::get, "/v0/management/usage");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "usage");

    m = r.find(verb::get, "/v0/management/model-prices/sync");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "prices");

    m = r.find(verb::delete_, "/v0/management/auth-files/x.json");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "proxy");
    REQUIRE(m.params.size() == 1);
    CHECK(m.params[0].second == "auth-files/x.json");
}

TEST_CASE("a method the specific route lacks falls through to a general route that takes it", "[router]")
{
    auto r = sample();
    auto m = r.find(verb::post, "/v0/management/usage");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "proxy");
}

TEST_CASE("a tail route matches its bare prefix", "[router]")
{
    auto r = sample();
    auto m = r.find(verb::get, "/v0/management/model-prices");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "prices");
}
