// proxy::fetch_url against local servers: direct, through an HTTP forward proxy, HTTP CONNECT,
// SOCKS5 and SOCKS5h (with and without credentials), and its limits (timeout, body cap). Also
// proxy::call_cpa, which runs on the same transport but keeps its own request and error texts.

#include "price_server.hpp"
#include "test_proxy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cpamd/proxy/cpa_client.hpp>
#include <cpamd/proxy/url_fetch.hpp>
#include <cpamd/test/ports.hpp>

using namespace cpamd::test;
using namespace cpamd::proxy;
using namespace std::chrono_literals;

namespace
{

// Runs one request of either client to completion.
template <class Result>
Result run(boost::asio::awaitable<Result> request)
{
    boost::asio::io_context ioc;
    std::optional<Result> out;
    boost::asio::co_spawn(
        ioc,
        std::move(request),
        [&](std::exception_ptr e, Result res)
        {
            if (!e)
                out = std::move(res);
        }
    );
    ioc.run();
    REQUIRE(out);
    return *out;
}

fetch_result run_fetch(fetch_request r)
{
    return run(fetch_url(std::move(r)));
}

cpa_result run_cpa(cpa_request r)
{
    return run(call_cpa(std::move(r)));
}

fetch_request get(std::string url, std::optional<outbound_proxy> proxy = std::nullopt)
{
    fetch_request r;
    r.url = std::move(url);
    r.proxy = std::move(proxy);
    r.timeout = 5s;
    return r;
}

outbound_proxy proxy_url(const std::string& url)
{
    auto p = parse_proxy_url(url);
    REQUIRE(p.error.empty());
    REQUIRE(p.proxy);
    return *p.proxy;
}

} // namespace

TEST_CASE("URL forms", "[fetch]")
{
    auto u = parse_http_url("https://Example.com:8443/a/b?x=1#frag");
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->host == "Example.com");
    CHECK(u->port == "8443");
    CHECK(u->target == "/a/b?x=1");
    CHECK(u->host_header == "Example.com:8443");
    auto v6 = parse_http_url("http://[::1]/");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == "80");
    CHECK(v6->host_header == "[::1]");
    CHECK(parse_http_url("http://h?q")->target == "/?q");
    CHECK_FALSE(parse_http_url("ftp://h/"));
    CHECK_FALSE(parse_http_url("http://user:pw@h/"));
    CHECK_FALSE(parse_http_url("http://h:0/"));
    CHECK_FALSE(parse_http_url("http://h:99999/"));
    CHECK_FALSE(parse_http_url("http:///x"));

    auto p = proxy_url("socks5h://us%40er:p%3Ass@127.0.0.1:1080");
    CHECK(p.type == outbound_proxy::kind::socks5h);
    CHECK(p.user == "us@er");
    CHECK(p.password == "p:ss");
    CHECK(proxy_url("http://proxy").port == "80");
    CHECK(proxy_url("socks5://proxy").port == "1080");
    CHECK(proxy_url("HTTP://proxy:3128/").type == outbound_proxy::kind::http);
    CHECK(
        parse_proxy_url("https://proxy:443").error ==
        "unsupported proxy scheme \"https\" (expected http, socks5 or socks5h)"
    );
    CHECK(parse_proxy_url("proxy:3128").error == "invalid proxy URL: expected scheme://host:port");
    CHECK_FALSE(parse_proxy_url("http://proxy:3128/path").error.empty());
}

TEST_CASE("direct GET: body, status, limits", "[fetch]")
{
    price_server srv;
    srv.set("/ok.json", {200, R"({"a":1})"});
    srv.set("/big", {200, std::string(5000, 'x')});
    srv.set("/slow", {200, "{}", 3s});

    auto r = run_fetch(get(srv.url("/ok.json?x=1")));
    REQUIRE(r.response);
    CHECK(r.response->status == 200);
    CHECK(r.response->body == R"({"a":1})");
    auto seen = srv.requests().at(0);
    CHECK(seen.target == "/ok.json?x=1");
    CHECK(seen.headers.at("host") == "127.0.0.1:" + std::to_string(srv.port()));

    auto missing = run_fetch(get(srv.url("/nope")));
    REQUIRE(missing.response);
    CHECK(missing.response->reason == "404 Not Found");

    auto capped = get(srv.url("/big"));
    capped.body_limit = 1000;
    auto big = run_fetch(capped);
    CHECK_FALSE(big.response);
    CHECK(big.error.find("body larger than 1000 bytes") != std::string::npos);

    auto slow = get(srv.url("/slow"));
    slow.timeout = 300ms;
    auto start = std::chrono::steady_clock::now();
    auto timed_out = run_fetch(slow);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK_FALSE(timed_out.response);
    CHECK(timed_out.error.ends_with(": timeout"));

    auto refused = run_fetch(get("http://127.0.0.1:" + std::to_string(free_port()) + "/x"));
    CHECK_FALSE(refused.response);
    CHECK(refused.error.find("connect") != std::string::npos);
    CHECK(run_fetch(get("gopher://x/")).error == "GET gopher://x/: not an http(s) URL");
}

TEST_CASE("HTTP forward proxy: absolute-form, credentials", "[fetch][proxy]")
{
    price_server srv;
    srv.set("/p.json", {200, "[1]"});
    test_proxy px("alice", "s3cret");

    auto r = run_fetch(
        get(srv.url("/p.json"), proxy_url("http://alice:s3cret@127.0.0.1:" + std::to_string(px.port())))
    );
    REQUIRE(r.response);
    CHECK(r.response->body == "[1]");
    REQUIRE(px.seen().size() == 1);
    CHECK(px.seen()[0] == "GET " + srv.url("/p.json") + " HTTP/1.1");
    CHECK(px.credentials() == std::vector<std::string>{"Basic YWxpY2U6czNjcmV0"});
    CHECK(srv.requests().at(0).headers.count("proxy-authorization") == 0);

    auto denied =
        run_fetch(get(srv.url("/p.json"), proxy_url("http://127.0.0.1:" + std::to_string(px.port()))));
    REQUIRE(denied.response);
    CHECK(denied.response->status == 407);
}

TEST_CASE("HTTP CONNECT for https targets", "[fetch][proxy]")
{
    price_server srv; // plain HTTP: the TLS handshake through the tunnel must fail, after CONNECT
    test_proxy px;
    auto r = run_fetch(
        get("https://127.0.0.1:" + std::to_string(srv.port()) + "/secure.json",
            proxy_url("http://127.0.0.1:" + std::to_string(px.port())))
    );
    CHECK_FALSE(r.response);
    CHECK(r.error.find("TLS handshake") != std::string::npos);
    REQUIRE_FALSE(px.seen().empty());
    CHECK(px.seen()[0] == "CONNECT 127.0.0.1:" + std::to_string(srv.port()));

    // A proxy that refuses the tunnel.
    auto closed = free_port();
    auto refused = run_fetch(
        get("https://127.0.0.1:" + std::to_string(closed) + "/x",
            proxy_url("http://127.0.0.1:" + std::to_string(px.port())))
    );
    CHECK_FALSE(refused.response);
    CHECK(refused.error.find("proxy CONNECT: 502") != std::string::npos);
}

TEST_CASE("SOCKS5 and SOCKS5h", "[fetch][proxy]")
{
    price_server srv;
    srv.set("/s.json", {200, "{\"socks\":true}"});
    const auto port = std::to_string(srv.port());

    test_proxy open;
    auto r = run_fetch(get(
        "http://localhost:" + port + "/s.json", proxy_url("socks5://127.0.0.1:" + std::to_string(open.port()))
    ));
    REQUIRE(r.response);
    CHECK(r.response->body == "{\"socks\":true}");
    REQUIRE(open.seen().size() == 1);
    CHECK(open.seen()[0].starts_with("SOCKS5 ")); // resolved here: an address
    CHECK(open.seen()[0].find("name") == std::string::npos);

    auto h = run_fetch(
        get("http://localhost:" + port + "/s.json",
            proxy_url("socks5h://127.0.0.1:" + std::to_string(open.port())))
    );
    REQUIRE(h.response);
    CHECK(open.seen().at(1) == "SOCKS5 name localhost:" + port);

    test_proxy locked("bob", "pw");
    auto authed = run_fetch(
        get(srv.url("/s.json"), proxy_url("socks5://bob:pw@127.0.0.1:" + std::to_string(locked.port())))
    );
    REQUIRE(authed.response);
    CHECK(authed.response->status == 200);
    CHECK(locked.credentials() == std::vector<std::string>{"socks5 bob:pw"});

    auto wrong = run_fetch(
        get(srv.url("/s.json"), proxy_url("socks5://bob:nope@127.0.0.1:" + std::to_string(locked.port())))
    );
    CHECK_FALSE(wrong.response);
    CHECK(wrong.error.find("rejected the user name or password") != std::string::npos);
    auto none =
        run_fetch(get(srv.url("/s.json"), proxy_url("socks5://127.0.0.1:" + std::to_string(locked.port()))));
    CHECK(none.error.find("no acceptable authentication method") != std::string::npos);
}

TEST_CASE("call_cpa: CPA's request shape and error texts on the shared transport", "[fetch][cpa]")
{
    price_server srv;
    srv.set("/v0/management/usage-statistics-enabled", {200, "{}"});
    srv.set("/v0/management/big", {200, std::string((std::size_t{16} << 20) + 1, 'x')});
    const std::string base = "http://127.0.0.1:" + std::to_string(srv.port());

    cpa_request put;
    put.base_url = base;
    put.method = boost::beast::http::verb::put;
    put.path = "/v0/management/usage-statistics-enabled";
    put.bearer = "the-key";
    put.body = R"({"value":true})";
    auto ok = run_cpa(put);
    REQUIRE(ok.response);
    CHECK(ok.response->reason == "200 OK");
    auto seen = srv.requests().at(0);
    CHECK(seen.method == "PUT");
    CHECK(seen.headers.at("authorization") == "Bearer the-key");
    CHECK(seen.headers.at("content-type") == "application/json");
    CHECK(seen.headers.at("content-length") == "14");
    CHECK_FALSE(seen.headers.contains("connection")); // fetch_url's "Connection: close" is its own

    cpa_request big;
    big.base_url = base;
    big.path = "/v0/management/big";
    CHECK(run_cpa(big).error == "GET " + base + "/v0/management/big: read response: body limit exceeded");

    const std::string closed = "http://127.0.0.1:" + std::to_string(free_port());
    cpa_request refused;
    refused.base_url = closed;
    refused.path = "/v0/management/config";
    CHECK(run_cpa(refused).error == "GET " + closed + "/v0/management/config: connect: Connection refused");
    CHECK(
        run_fetch(get(closed + "/x")).error == "GET " + closed + "/x: connect 127.0.0.1: Connection refused"
    );

    cpa_request invalid;
    invalid.base_url = "ftp://127.0.0.1";
    CHECK(run_cpa(invalid).error == "invalid CPA base URL");
}
