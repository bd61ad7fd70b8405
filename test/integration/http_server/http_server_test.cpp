// The HTTP server in-process on a real loopback socket, with short timeouts so the limits can be
// observed quickly: keep-alive, pipelining, body and header limits, slow clients, the connection
// cap, authorization, errors in handlers, streaming routes and graceful shutdown.

#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/http/server.hpp>
#include <cpamd/test/http_client.hpp>
#include <thread>

namespace
{

using namespace std::chrono_literals;
using namespace cpamd::http;
using verb = bhttp::verb;
using cpamd::test::http_client;

asio::awaitable<response> echo(exchange& ex)
{
    co_return text_reply(200, ex.body());
}

asio::awaitable<response> slow(exchange&)
{
    asio::steady_timer t(co_await asio::this_coro::executor, 400ms);
    co_await t.async_wait(asio::use_awaitable);
    co_return text_reply(200, "slow done");
}

asio::awaitable<response> throws(exchange&)
{
    throw std::runtime_error("boom");
    co_return response{};
}

asio::awaitable<response> admin_only(exchange&)
{
    co_return text_reply(200, "secret stuff");
}

// A streaming route: reads the body itself in pieces and answers with its size.
asio::awaitable<void> count_bytes(exchange& ex)
{
    auto& c = *ex.connection();
    bhttp::request_parser<bhttp::string_body> p{std::move(c.parser)};
    p.body_limit(10 << 20);
    auto [ec, n] = co_await bhttp::async_read(c.stream, c.buffer, p, use_nothrow);
    auto res = text_reply(200, ec ? "error" : std::to_string(p.get().body().size()));
    res.keep_alive(true);
    res.prepare_payload();
    co_await bhttp::async_write(c.stream, res, use_nothrow);
}

struct running_server
{
    asio::io_context ioc{2};
    std::unique_ptr<server> srv;
    std::vector<std::thread> threads;
    std::uint16_t port = 0;

    explicit running_server(server_options o = {})
    {
        router r;
        r.add({verb::get}, "/health", [](exchange& ex) { return echo(ex); });
        r.add({verb::post}, "/echo", [](exchange& ex) { return echo(ex); }, {.body_limit = 1024});
        r.add({verb::get}, "/slow", [](exchange& ex) { return slow(ex); });
        r.add({verb::get}, "/throws", [](exchange& ex) { return throws(ex); });
        r.add(
            {verb::get}, "/admin", [](exchange& ex) { return admin_only(ex); }, {.auth = auth_level::admin}
        );
        r.add_stream({verb::post}, "/count", [](exchange& ex) { return count_bytes(ex); });
        o.listen = {"127.0.0.1", 0};
        if (!o.authorize)
            o.authorize = [](const exchange& ex, auth_level a) -> std::optional<response>
            {
                if (a == auth_level::admin && ex.header_value("Authorization") != "Bearer right")
                    return error_reply(401, "invalid_admin_key", "invalid admin key");
                return std::nullopt;
            };
        srv = std::make_unique<server>(ioc, std::move(r), o);
        srv->start();
        port = srv->local_endpoint().port();
        for (int i = 0; i < 2; ++i)
            threads.emplace_back([this] { ioc.run(); });
    }
    ~running_server()
    {
        ioc.stop();
        for (auto& t : threads)
            t.join();
    }
    http_client client(std::chrono::milliseconds timeout = 5s)
    {
        return http_client("127.0.0.1", port, timeout);
    }
};

server_options fast_timeouts()
{
    server_options o;
    o.header_timeout = 300ms;
    o.body_idle_timeout = 300ms;
    o.idle_timeout = 2s;
    return o;
}

// Asserts /health answers on a fresh connection within `limit`.
void check_health_prompt(running_server& s, std::chrono::milliseconds limit = 500ms)
{
    auto start = std::chrono::steady_clock::now();
    auto c = s.client();
    auto r = c.get("/health");
    CHECK(r.status == 200);
    CHECK(std::chrono::steady_clock::now() - start < limit);
}

} // namespace

TEST_CASE("keep-alive serves many requests on one connection", "[http_server]")
{
    running_server s;
    auto c = s.client();
    for (int i = 0; i < 50; ++i)
    {
        auto r = c.request("POST", "/echo", "hello " + std::to_string(i));
        REQUIRE(r.status == 200);
        CHECK(r.body == "hello " + std::to_string(i));
        CHECK(r.keep_alive);
    }
}

TEST_CASE("pipelined requests are answered in order", "[http_server]")
{
    running_server s;
    auto c = s.client();
    std::string batch;
    for (int i = 0; i < 3; ++i)
        batch += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n" + std::to_string(i);
    batch += "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    c.send_raw(batch);
    auto raw = c.read_raw();
    auto p0 = raw.find("\r\n\r\n0"), p1 = raw.find("\r\n\r\n1"), p2 = raw.find("\r\n\r\n2");
    REQUIRE(p0 != std::string::npos);
    REQUIRE(p1 != std::string::npos);
    REQUIRE(p2 != std::string::npos);
    CHECK(p0 < p1);
    CHECK(p1 < p2);
    std::size_t count = 0;
    for (auto pos = raw.find("HTTP/1.1 200"); pos != std::string::npos;
         pos = raw.find("HTTP/1.1 200", pos + 1))
        ++count;
    CHECK(count == 4);
}

TEST_CASE("bodies over the route limit get 413 and close the connection", "[http_server]")
{
    running_server s;
    SECTION("declared length")
    {
        auto c = s.client();
        auto r = c.request("POST", "/echo", std::string(2048, 'x'));
        CHECK(r.status == 413);
        CHECK(r.body.find("\"code\":\"body_too_large\"") != std::string::npos);
        CHECK_FALSE(r.keep_alive);
    }
    SECTION("chunked body")
    {
        auto c = s.client();
        std::string chunk(800, 'y');
        c.send_raw(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk +
            "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"
        );
        auto raw = c.read_raw();
        CHECK(raw.rfind("HTTP/1.1 413", 0) == 0);
    }
    SECTION("at the limit is fine")
    {
        auto c = s.client();
        auto r = c.request("POST", "/echo", std::string(1024, 'z'));
        CHECK(r.status == 200);
        CHECK(r.body.size() == 1024);
    }
}

TEST_CASE("malformed requests get 400 and the connection is closed", "[http_server]")
{
    running_server s;
    for (std::string bad : {
             "GARBAGE\r\n\r\n",
             "GET /health HTTP/9.9\r\n\r\n",
             "GET /health HTTP/1.1\r\nBad Header Line\r\n\r\n",
             "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
             "GET /a/../health HTTP/1.1\r\nHost: x\r\n\r\n",
         })
    {
        CAPTURE(bad);
        auto c = s.client();
        c.send_raw(bad);
        auto raw = c.read_raw();
        CHECK(raw.rfind("HTTP/1.1 400", 0) == 0);
        CHECK(raw.find("\"code\":\"bad_request\"") != std::string::npos);
    }
    check_health_prompt(s);
}

TEST_CASE("an oversized header gets 431", "[http_server]")
{
    running_server s;
    auto c = s.client();
    c.send_raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n");
    auto raw = c.read_raw();
    CHECK(raw.rfind("HTTP/1.1 431", 0) == 0);
    check_health_prompt(s);
}

TEST_CASE("a slowloris client is cut off after the header timeout", "[http_server]")
{
    running_server s(fast_timeouts());
    auto slow_client = s.client(3s);
    slow_client.send_raw("GET /health HTTP/1.1\r\nHost: x\r\n");
    check_health_prompt(s); // others are served meanwhile
    auto start = std::chrono::steady_clock::now();
    auto raw = slow_client.read_raw(); // returns when the server closes
    auto waited = std::chrono::steady_clock::now() - start;
    CHECK(raw.find("200") == std::string::npos);
    CHECK(waited < 2s);
}

TEST_CASE("a stalled body is cut off after the body idle timeout", "[http_server]")
{
    running_server s(fast_timeouts());
    auto c = s.client(3s);
    c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-some");
    auto start = std::chrono::steady_clock::now();
    auto raw = c.read_raw();
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(raw.find("HTTP/1.1 200") == std::string::npos);
}

TEST_CASE("idle keep-alive connections are closed after the idle timeout", "[http_server]")
{
    auto o = fast_timeouts();
    o.idle_timeout = 300ms;
    running_server s(o);
    auto c = s.client(3s);
    CHECK(c.get("/health").status == 200);
    auto start = std::chrono::steady_clock::now();
    auto raw = c.read_raw();
    CHECK(raw.empty());
    CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("connections over the cap get 503 at once", "[http_server]")
{
    server_options o;
    o.max_connections = 3;
    running_server s(o);
    std::vector<std::unique_ptr<http_client>> held;
    for (int i = 0; i < 3; ++i)
    {
        held.push_back(std::make_unique<http_client>("127.0.0.1", s.port));
        CHECK(held.back()->get("/health").status == 200);
    }
    auto extra = s.client();
    auto r = extra.get("/health");
    CHECK(r.status == 503);
    CHECK(r.body.find("too_many_connections") != std::string::npos);
    held.pop_back();
    // The freed slot is reusable once the server notices the close.
    bool served = false;
    for (int i = 0; i < 50 && !served; ++i)
    {
        auto again = s.client();
        served = again.get("/health").status == 200;
        if (!served)
            std::this_thread::sleep_for(20ms);
    }
    CHECK(served);
}

TEST_CASE("the authorizer guards admin routes but not OPTIONS", "[http_server]")
{
    running_server s;
    auto c = s.client();
    auto denied = c.get("/admin");
    CHECK(denied.status == 401);
    CHECK(denied.body == "{\"error\":\"invalid admin key\",\"code\":\"invalid_admin_key\"}\n");
    CHECK(c.get("/admin", {{"Authorization", "Bearer right"}}).body == "secret stuff");
    auto pre = c.request("OPTIONS", "/admin");
    CHECK(pre.status == 204);
    CHECK(pre.header("access-control-allow-origin") == "*");
    CHECK(c.request("OPTIONS", "/no/such/path").status == 204);
}

TEST_CASE("an exception in a handler is a 500 JSON reply and the server lives on", "[http_server]")
{
    running_server s;
    auto c = s.client();
    auto r = c.get("/throws");
    CHECK(r.status == 500);
    CHECK(r.body.find("\"code\":\"internal_error\"") != std::string::npos);
    CHECK(c.get("/health").status == 200);
}

TEST_CASE("unknown paths and wrong methods", "[http_server]")
{
    running_server s;
    auto c = s.client();
    auto r = c.get("/nope");
    CHECK(r.status == 404);
    CHECK(r.header("content-type") == "application/json");
    CHECK(r.body == "{\"error\":\"404 page not found\",\"code\":\"not_found\"}\n");
    r = c.request("DELETE", "/health");
    CHECK(r.status == 405);
    CHECK(r.body == "{\"error\":\"method not allowed\",\"code\":\"method_not_allowed\"}\n");
    // A refused request with a body closes the connection (its body was never read).
    r = c.request("PUT", "/health", "data");
    CHECK(r.status == 405);
    CHECK_FALSE(r.keep_alive);
}

TEST_CASE("a streaming route reads the body itself", "[http_server]")
{
    running_server s;
    auto c = s.client();
    auto r = c.request("POST", "/count", std::string(3 << 20, 'q'));
    CHECK(r.status == 200);
    CHECK(r.body == std::to_string(3 << 20));
    CHECK(c.get("/health").status == 200); // and the connection is reusable
}

TEST_CASE("shutdown finishes requests in flight and closes idle connections", "[http_server]")
{
    running_server s;
    auto idle = s.client();
    CHECK(idle.get("/health").status == 200);
    auto busy = s.client();
    std::thread t(
        [&]
        {
            std::this_thread::sleep_for(100ms);
            s.srv->begin_shutdown();
        }
    );
    auto r = busy.get("/slow");
    t.join();
    CHECK(r.status == 200);
    CHECK(r.body == "slow done");
    CHECK_FALSE(r.keep_alive);
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (s.srv->active_connections() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    CHECK(s.srv->active_connections() == 0);
    CHECK_FALSE(cpamd::test::wait_until_listening(s.port, 200ms));
}

namespace
{

// A connection to the server from a chosen loopback source address, holding a half-sent header.
asio::ip::tcp::socket hold_connection(asio::io_context& ioc, const char* from, std::uint16_t port)
{
    asio::ip::tcp::socket s(ioc);
    s.open(asio::ip::tcp::v4());
    s.bind({asio::ip::make_address(from), 0});
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(s, asio::buffer(std::string_view("GET /health HTTP/1.1\r\nHost: x\r\n")));
    return s;
}

// One GET /health from `from`; the raw answer (until close, at most 2 s).
std::string health_from(const char* from, std::uint16_t port)
{
    asio::io_context ioc;
    asio::ip::tcp::socket s(ioc);
    s.open(asio::ip::tcp::v4());
    s.bind({asio::ip::make_address(from), 0});
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(
        s, asio::buffer(std::string_view("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
    );
    std::string raw;
    asio::async_read(s, asio::dynamic_buffer(raw), [](boost::system::error_code, std::size_t) {});
    ioc.run_for(2s);
    return raw;
}

} // namespace

TEST_CASE("one address cannot take every connection: its own cap, others still served", "[http_server]")
{
    server_options o = fast_timeouts();
    o.header_timeout = 5s; // the slowloris connections stay while the test looks
    o.max_connections = 40;
    o.max_connections_per_address = 10;
    running_server s(o);

    asio::io_context ioc;
    std::vector<asio::ip::tcp::socket> held;
    for (int i = 0; i < 30; ++i)
        held.push_back(hold_connection(ioc, "127.0.0.1", s.port));
    // Past its cap the attacker's own new connections get 503; another address is served.
    std::this_thread::sleep_for(200ms);
    CHECK(s.srv->active_connections() == 10);
    CHECK(health_from("127.0.0.1", s.port).rfind("HTTP/1.1 503", 0) == 0);
    CHECK(health_from("127.0.0.2", s.port).rfind("HTTP/1.1 200", 0) == 0);
    CHECK(s.srv->counters().refused_per_address.load() >= 21);
    CHECK(s.srv->counters().refused.load() == 0);
    held.clear();
    // Once they close, the address is served again.
    bool served = false;
    for (int i = 0; i < 50 && !served; ++i)
    {
        served = health_from("127.0.0.1", s.port).rfind("HTTP/1.1 200", 0) == 0;
        if (!served)
            std::this_thread::sleep_for(20ms);
    }
    CHECK(served);
}

TEST_CASE(
    "a Transfer-Encoding other than chunked gets 400 and a close, never a second request", "[http_server]"
)
{
    running_server s;
    for (std::string coding : {"gzip", "identity", "gzip, chunked", "chunked, gzip", "chunked, chunked"})
    {
        CAPTURE(coding);
        auto c = s.client();
        // The body is a whole request: read as one, it would be smuggled past the first.
        c.send_raw(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
            "\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer right\r\n\r\n"
        );
        auto raw = c.read_raw();
        CHECK(raw.rfind("HTTP/1.1 400", 0) == 0);
        CHECK(raw.find("\"code\":\"bad_request\"") != std::string::npos);
        CHECK(raw.find("Connection: close") != std::string::npos);
        CHECK(raw.find("secret stuff") == std::string::npos);
        CHECK(raw.find("HTTP/1.1", 1) == std::string::npos);
    }
    // Chunked alone still works.
    auto c = s.client();
    c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
               "3\r\nabc\r\n0\r\n\r\n");
    auto ok = c.read_raw();
    CHECK(ok.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(ok.ends_with("abc"));
}

TEST_CASE("HEAD on a GET route: GET's head, no body", "[http_server]")
{
    running_server s;
    auto c = s.client();
    c.send_raw(
        "HEAD /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    );
    auto raw = c.read_raw();
    // Both answers arrive and the first has no body: the second starts right after its head.
    REQUIRE(raw.rfind("HTTP/1.1 200", 0) == 0);
    const auto first_end = raw.find("\r\n\r\n");
    REQUIRE(first_end != std::string::npos);
    CHECK(raw.compare(first_end + 4, 12, "HTTP/1.1 200") == 0);
    CHECK(raw.substr(0, first_end).find("Content-Length: 9") != std::string::npos); // "slow done"
    CHECK(raw.find("slow done") == std::string::npos);
    CHECK(c.get("/nope").status == 404);
}
