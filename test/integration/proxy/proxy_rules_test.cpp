// What crosses the proxy: whose key CPA sees, which headers and body fields are dropped or
// added, and which callers are refused (spec manager-api §5.12, §5.13). cpa-sim records every
// request it gets, so each rule is checked on the receiving side.

#include "proxy_fixture.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <thread>

using namespace cpamd::test;
using namespace std::chrono_literals;

namespace
{

const boost::json::value* find_request(const boost::json::array& log, const std::string& target)
{
    for (const auto& r : log)
        if (r.at("target").as_string() == target)
            return &r;
    return nullptr;
}

} // namespace

TEST_CASE("admin calls reach CPA with the stored key, never the admin key")
{
    temp_dir dir;
    // CPA (gin) takes the client address from X-Forwarded-For, so a forwarded request from
    // 203.0.113.7 is a remote management call: allowed here.
    sim_process sim({"--allow-remote"});
    auto d = start_proxy_daemon(dir, sim.url());
    clear_sim_requests(sim);

    auto c = d->client();
    auto headers = admin_headers();
    headers["X-Forwarded-For"] = "203.0.113.7";
    headers["Connection"] = "keep-alive, X-Hop-Only";
    headers["X-Hop-Only"] = "1";
    headers["Keep-Alive"] = "timeout=5";
    headers["TE"] = "trailers";
    headers["Proxy-Connection"] = "keep-alive";
    headers["X-CPAMP-Auth-File-Name"] = "panel-only";
    headers["X-Custom"] = "kept";
    auto r = c.get("/v0/management/config?probe=1&x=a%20b", headers);
    REQUIRE(r.status == 200);
    CHECK(r.body == sim.mgmt("GET", "/v0/management/config").body);
    CHECK(r.header("x-cpa-version") == "7.2.140"); // CPA's own headers come back
    CHECK(r.keep_alive);

    auto log = sim_requests(sim);
    auto* got = find_request(log, "/v0/management/config?probe=1&x=a%20b"); // query kept verbatim
    REQUIRE(got);
    CHECK(header_values(*got, "authorization") == std::vector<std::string>{"Bearer " + sim_management_key});
    CHECK(header_values(*got, "host") == std::vector<std::string>{"127.0.0.1:" + std::to_string(sim.port())});
    CHECK(header_values(*got, "x-forwarded-for") == std::vector<std::string>{"203.0.113.7, 127.0.0.1"});
    CHECK(header_values(*got, "x-forwarded-proto") == std::vector<std::string>{"http"});
    // The Host the client asked for, as Go's proxy tells its upstream.
    CHECK(
        header_values(*got, "x-forwarded-host") ==
        std::vector<std::string>{"127.0.0.1:" + std::to_string(d->port())}
    );
    CHECK(header_values(*got, "x-custom") == std::vector<std::string>{"kept"});
    for (auto dropped :
         {"x-hop-only", "keep-alive", "te", "proxy-connection", "x-cpamp-auth-file-name", "connection"})
    {
        INFO(dropped);
        CHECK(header_values(*got, dropped).empty());
    }

    // Whatever else happened, the admin key never reached CPA.
    for (const auto& req : sim_requests(sim))
        CHECK(boost::json::serialize(req).find(proxy_admin_key) == std::string::npos);
    auto out = stop_daemon(*d);
    CHECK(out.find(sim_management_key) == std::string::npos);
    CHECK(out.find(proxy_admin_key) == std::string::npos);
}

TEST_CASE("callers without the admin key: 401 on CPA's paths, CPA's key on plugin paths, their own on models")
{
    temp_dir dir;
    sim_process sim({"--client-key", "client-key-1"});
    auto d = start_proxy_daemon(dir, sim.url());
    clear_sim_requests(sim);
    auto c = d->client();

    auto denied = c.get("/v0/management/config", {{"Authorization", "Bearer not-the-admin-key"}});
    CHECK(denied.status == 401);
    CHECK(parse(denied.body).at("code") == "invalid_admin_key");
    CHECK(c.get("/v0/management/auth-files").status == 401);

    // A plugin path: another key is refused here (CPA would count it as a failed login); CPA's own
    // is forwarded and CPA (here gin's 404) answers.
    CHECK(
        c.get("/v0/management/my-plugin/items?id=3", {{"Authorization", "Bearer plugin-token"}}).status == 401
    );
    auto plugin =
        c.get("/v0/management/my-plugin/items?id=3", {{"Authorization", "Bearer " + sim_management_key}});
    CHECK(plugin.status == 404);
    CHECK(plugin.body == "404 page not found");

    auto models = c.get("/v1/models", {{"Authorization", "Bearer client-key-1"}});
    CHECK(models.status == 200);
    CHECK(parse(models.body).at("object") == "list");
    CHECK(c.get("/models", {{"Authorization", "Bearer wrong"}}).status == 401); // CPA's answer

    auto log = sim_requests(sim);
    CHECK_FALSE(find_request(log, "/v0/management/config"));
    CHECK_FALSE(find_request(log, "/v0/management/auth-files"));
    auto* p = find_request(log, "/v0/management/my-plugin/items?id=3");
    REQUIRE(p);
    CHECK(header_values(*p, "authorization") == std::vector<std::string>{"Bearer " + sim_management_key});
    auto* m = find_request(log, "/v1/models");
    REQUIRE(m);
    CHECK(header_values(*m, "authorization") == std::vector<std::string>{"Bearer client-key-1"});

    // The admin on a plugin path gets the stored key, and its origin header says CPA's origin.
    auto admin = admin_headers();
    admin["X-Codex-Invite-Origin"] = "https://panel.example";
    c.get("/v0/management/my-plugin/invite", admin);
    auto after = sim_requests(sim);
    auto* invite = find_request(after, "/v0/management/my-plugin/invite");
    REQUIRE(invite);
    CHECK(
        header_values(*invite, "authorization") == std::vector<std::string>{"Bearer " + sim_management_key}
    );
    CHECK(header_values(*invite, "x-codex-invite-origin") == std::vector<std::string>{sim.url()});
    stop_daemon(*d);
}

TEST_CASE("the panel's cpamp_* fields are stripped from auth-file bodies")
{
    temp_dir dir;
    sim_process sim;
    auto d = start_proxy_daemon(dir, sim.url());
    auto c = d->client();
    auto headers = admin_headers();
    headers["Content-Type"] = "application/json";
    auto up = c.request(
        "POST",
        "/v0/management/auth-files?name=alice.json",
        R"({"type":"codex","email":"alice@example.com","cpamp_owner":"panel","cpamp_note":{"x":1}})",
        headers
    );
    REQUIRE(up.status == 200);
    auto stored = c.get("/v0/management/auth-files/download?name=alice.json", admin_headers());
    REQUIRE(stored.status == 200);
    auto v = parse(stored.body).as_object();
    CHECK(v.at("type") == "codex");
    CHECK(v.at("email") == "alice@example.com");
    CHECK_FALSE(v.contains("cpamp_owner"));
    CHECK_FALSE(v.contains("cpamp_note"));
    stop_daemon(*d);
}

TEST_CASE("100 concurrent proxied requests all get CPA's answer")
{
    temp_dir dir;
    sim_process sim;
    auto d = start_proxy_daemon(dir, sim.url());
    const auto expected = sim.mgmt("GET", "/v0/management/config").body;
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 100; ++i)
        clients.emplace_back(
            [&]
            {
                try
                {
                    auto c = d->client(30s);
                    for (int j = 0; j < 3; ++j) // keep-alive: reuses pooled upstream connections
                    {
                        auto r = c.get("/v0/management/config", admin_headers());
                        if (r.status != 200 || r.body != expected)
                            return;
                    }
                    ok++;
                }
                catch (const std::exception&)
                {
                }
            }
        );
    for (auto& t : clients)
        t.join();
    CHECK(ok == 100);
    stop_daemon(*d);
}

namespace
{

// How many header lines of the raw answer `raw` are named `name` (any case).
int count_fields(const std::string& raw, std::string_view name)
{
    int n = 0;
    const auto head = raw.substr(0, raw.find("\r\n\r\n"));
    for (std::size_t at = head.find("\r\n"); at != std::string::npos; at = head.find("\r\n", at + 2))
    {
        const auto line = std::string_view(head).substr(at + 2, name.size() + 1);
        if (line.size() == name.size() + 1 && line.back() == ':' &&
            boost::beast::iequals(line.substr(0, name.size()), name))
            ++n;
    }
    return n;
}

std::string raw_admin_get(running_daemon& d, const std::string& origin)
{
    auto c = d.client();
    c.send_raw(
        "GET /v0/management/config HTTP/1.1\r\nHost: cpamd\r\nConnection: close\r\nOrigin: " + origin +
        "\r\nAuthorization: Bearer " + proxy_admin_key + "\r\n\r\n"
    );
    return c.read_raw();
}

} // namespace

TEST_CASE("proxied answers carry cpamd's CORS headers, each once, and close when asked")
{
    temp_dir dir;
    sim_process sim;
    auto d = start_proxy_daemon(dir, sim.url(), {{"USAGE_CORS_ORIGINS", "https://panel.example"}});

    auto allowed = raw_admin_get(*d, "https://panel.example");
    REQUIRE(allowed.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(allowed.find("\r\nAccess-Control-Allow-Origin: https://panel.example\r\n") != std::string::npos);
    CHECK(allowed.find("\r\nVary: Origin\r\n") != std::string::npos);
    CHECK(allowed.find("\r\nConnection: close\r\n") != std::string::npos);
    CHECK(count_fields(allowed, "X-CPA-VERSION") == 1); // CPA's own pass
    for (auto name :
         {"Access-Control-Allow-Origin",
          "Access-Control-Allow-Methods",
          "Access-Control-Allow-Headers",
          "Vary",
          "Connection",
          "Content-Length"})
    {
        INFO(name);
        CHECK(count_fields(allowed, name) == 1);
    }
    CHECK(count_fields(allowed, "Transfer-Encoding") == 0);

    // Another origin gets no Allow-Origin, but the methods and headers still, and Vary: Origin
    // (the answer depends on it).
    auto other = raw_admin_get(*d, "https://elsewhere.example");
    REQUIRE(other.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(count_fields(other, "Access-Control-Allow-Origin") == 0);
    CHECK(count_fields(other, "Vary") == 1);
    CHECK(count_fields(other, "Access-Control-Allow-Methods") == 1);
}

namespace
{

// Sends `head` (it asks for 100-continue), reads the interim answer, then sends `body` and reads
// the final answer until CPA's connection closes. Raw text; what came within 5 s each.
std::pair<std::string, std::string>
continue_exchange(std::uint16_t port, const std::string& head, const std::string& body)
{
    namespace asio = boost::asio;
    asio::io_context ioc;
    asio::ip::tcp::socket s(ioc);
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(s, asio::buffer(head));
    std::string buffered;
    std::string interim;
    asio::async_read_until(
        s,
        asio::dynamic_buffer(buffered),
        "\r\n\r\n",
        [&](boost::system::error_code ec, std::size_t n)
        {
            if (!ec)
                interim = buffered.substr(0, n);
        }
    );
    ioc.run_for(5s);
    if (interim.empty())
        return {};
    buffered.erase(0, interim.size());
    asio::write(s, asio::buffer(body));
    ioc.restart();
    asio::async_read(s, asio::dynamic_buffer(buffered), [](boost::system::error_code, std::size_t) {});
    ioc.run_for(5s);
    return {interim, buffered};
}

} // namespace

TEST_CASE("Expect: 100-continue gets its interim answer on both body paths, and the body goes through")
{
    temp_dir dir;
    sim_process sim;
    auto d = start_proxy_daemon(dir, sim.url());
    const std::string common =
        "Host: cpamd\r\nConnection: close\r\nExpect: 100-continue\r\nAuthorization: Bearer " +
        proxy_admin_key + "\r\n";

    // Streamed to CPA as it comes.
    auto [streamed_interim, streamed] = continue_exchange(
        d->port(),
        "PUT /v0/management/sim/upload HTTP/1.1\r\n" + common +
            "Content-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\n",
        "hello"
    );
    CHECK(streamed_interim == "HTTP/1.1 100 Continue\r\n\r\n");
    CHECK(streamed.starts_with("HTTP/1.1 200 "));
    CHECK(streamed.find("\"bytes\":5") != std::string::npos);

    // Read whole to strip the panel's fields, then sent.
    const std::string json = R"({"type":"codex","email":"bob@example.com","cpamp_owner":"panel"})";
    auto [buffered_interim, buffered] = continue_exchange(
        d->port(),
        "POST /v0/management/auth-files?name=bob.json HTTP/1.1\r\n" + common +
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(json.size()) + "\r\n\r\n",
        json
    );
    CHECK(buffered_interim == "HTTP/1.1 100 Continue\r\n\r\n");
    CHECK(buffered.starts_with("HTTP/1.1 200 "));
    auto stored = d->client().get("/v0/management/auth-files/download?name=bob.json", admin_headers());
    REQUIRE(stored.status == 200);
    CHECK(parse(stored.body).at("email") == "bob@example.com");
    CHECK_FALSE(parse(stored.body).as_object().contains("cpamp_owner"));
    stop_daemon(*d);
}
