// HTTP side of cpa-sim: management auth and routes (spec §2, §5), faults, TLS, control API.

#include "sim_fixture.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/resp/encode.hpp>
#include <fstream>
#include <regex>

using namespace cpamd;
using namespace cpamd::test;
using namespace std::chrono_literals;
namespace json = boost::json;

TEST_CASE("cpa-sim --help documents the flags and exits 0; bad flags exit non-zero")
{
    child_process help(bin_dir() / "cpa-sim", {.args = {"--help"}});
    REQUIRE(help.wait(10s) == 0);
    for (auto flag :
         {"--listen",
          "--management-key",
          "--client-key",
          "--rate",
          "--total",
          "--seed",
          "--ledger",
          "--retention-seconds",
          "--tls",
          "--tls-cert-out",
          "--control-key",
          "--usage-statistics-enabled"})
        CHECK(help.output().find(flag) != std::string::npos);
    child_process bad(bin_dir() / "cpa-sim", {.args = {"--listen", "127.0.0.1:0"}});
    CHECK(bad.wait(10s) == 2);
}

TEST_CASE("SIGTERM and SIGINT exit 0")
{
    for (int sig : {SIGTERM, SIGINT})
    {
        sim_process sim({"--rate", "100"});
        sim.process().signal(sig);
        CHECK(sim.process().wait(10s) == 0);
    }
}

TEST_CASE("management auth: Bearer, raw Authorization, X-Management-Key, 401s, version headers")
{
    sim_process sim;
    const std::string path = "/v0/management/config";
    http_client c("127.0.0.1", sim.port());
    CHECK(c.get(path, {{"Authorization", "Bearer " + sim_management_key}}).status == 200);
    CHECK(c.get(path, {{"Authorization", "bEaReR " + sim_management_key}}).status == 200);
    CHECK(c.get(path, {{"Authorization", sim_management_key}}).status == 200);
    CHECK(c.get(path, {{"X-Management-Key", sim_management_key}}).status == 200);
    auto missing = c.get(path);
    CHECK(missing.status == 401);
    CHECK(missing.body == R"({"error":"missing management key"})");
    CHECK(missing.header("x-cpa-version") == "7.2.140");
    CHECK(!missing.header("x-cpa-commit").empty());
    CHECK(!missing.header("x-cpa-build-date").empty());
    CHECK(!missing.header("x-cpa-support-plugin").empty());
    // Authorization wins over X-Management-Key even when wrong.
    auto wrong = c.get(path, {{"Authorization", "Bearer nope"}, {"X-Management-Key", sim_management_key}});
    CHECK(wrong.status == 401);
    CHECK(wrong.body == R"({"error":"invalid management key"})");
}

TEST_CASE("five failures ban the IP for 30 minutes; success resets the counter")
{
    sim_process sim;
    http_client c("127.0.0.1", sim.port());
    const std::string path = "/v0/management/config";
    for (int i = 0; i < 4; ++i)
        CHECK(c.get(path, {{"Authorization", "Bearer bad"}}).status == 401);
    CHECK(c.get(path, {{"Authorization", "Bearer " + sim_management_key}}).status == 200); // reset
    for (int i = 0; i < 5; ++i)
        CHECK(c.get(path, {{"Authorization", "Bearer bad"}}).status == 401);
    auto banned = c.get(path, {{"Authorization", "Bearer " + sim_management_key}});
    CHECK(banned.status == 403);
    CHECK(banned.body == R"({"error":"IP banned due to too many failed attempts. Try again in 30m0s"})");
    CHECK(banned.header("x-cpa-version") == "7.2.140");
    // RESP shares the table.
    resp_conn r(sim.port());
    r.command({"AUTH", sim_management_key});
    CHECK(r.read()->text.rfind("ERR IP banned", 0) == 0);
}

TEST_CASE("remote clients (by X-Forwarded-For) are refused without counting")
{
    sim_process sim;
    http_client c("127.0.0.1", sim.port());
    for (int i = 0; i < 6; ++i)
    {
        auto r = c.get(
            "/v0/management/config", {{"Authorization", "Bearer bad"}, {"X-Forwarded-For", "203.0.113.9"}}
        );
        CHECK(r.status == 403);
        CHECK(r.body == R"({"error":"remote management disabled"})");
    }
    CHECK(sim.mgmt("GET", "/v0/management/config").status == 200);
}

TEST_CASE("usage-queue: count rules, destructive, oldest first, [] when empty")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    CHECK(sim.mgmt("GET", "/v0/management/usage-queue").body == "[]");
    for (int i = 1; i <= 5; ++i)
        sim.control("POST", "/_sim/enqueue", "{\"n\": " + std::to_string(i) + ", \"s\":\"<&>\"}");
    sim.control("POST", "/_sim/enqueue", "not json");
    for (auto bad : {"0", "-1", "x", "1.5"})
    {
        auto r = sim.mgmt("GET", std::string("/v0/management/usage-queue?count=") + bad);
        CHECK(r.status == 400);
        CHECK(r.body == R"({"error":"count must be a positive integer"})");
    }
    auto one = sim.mgmt("GET", "/v0/management/usage-queue?count=");
    CHECK(one.status == 200);
    CHECK(one.header("content-type") == "application/json; charset=utf-8");
    // Compacted and HTML-escaped like Go's json.RawMessage.
    CHECK(one.body == R"([{"n":1,"s":"\u003c\u0026\u003e"}])");
    auto three = sim.mgmt("GET", "/v0/management/usage-queue?count=%203%20");
    auto arr = json::parse(three.body).as_array();
    REQUIRE(arr.size() == 3);
    CHECK(arr[0].at("n") == 2);
    CHECK(arr[2].at("n") == 4);
    auto rest = json::parse(sim.mgmt("GET", "/v0/management/usage-queue?count=100").body).as_array();
    REQUIRE(rest.size() == 2);
    CHECK(rest[1] == "not json"); // invalid JSON items become strings
    CHECK(sim.mgmt("POST", "/v0/management/usage-queue").status == 404);
    CHECK(sim.mgmt("POST", "/v0/management/usage-queue").body == "404 page not found");
}

TEST_CASE("usage-statistics-enabled toggle and config views")
{
    sim_process sim;
    CHECK(
        sim.mgmt("GET", "/v0/management/usage-statistics-enabled").body ==
        R"({"usage-statistics-enabled":false})"
    );
    CHECK(sim.mgmt("PUT", "/v0/management/usage-statistics-enabled", "{}").status == 400);
    CHECK(
        sim.mgmt("PUT", "/v0/management/usage-statistics-enabled", "{}").body == R"({"error":"invalid body"})"
    );
    auto put = sim.mgmt("PATCH", "/v0/management/usage-statistics-enabled", R"({"value":true})");
    CHECK(put.status == 200);
    CHECK(put.body == R"({"status":"ok"})");
    auto cfg = json::parse(sim.mgmt("GET", "/v0/management/config").body).as_object();
    CHECK(cfg.at("usage-statistics-enabled") == true);
    CHECK(cfg.at("redis-usage-queue-retention-seconds") == 60);
    CHECK(cfg.contains("proxy-url"));
    CHECK(!cfg.contains("remote-management"));

    auto yaml = sim.mgmt("GET", "/v0/management/config.yaml").body;
    CHECK(yaml.find("usage-statistics-enabled: true") != std::string::npos);
    auto put_yaml = sim.mgmt(
        "PUT",
        "/v0/management/config.yaml",
        "usage-statistics-enabled: false\nredis-usage-queue-retention-seconds: 99999\nproxy-url: "
        "\"socks5://x:1\"\n"
        "custom-key: 7\n"
    );
    CHECK(put_yaml.status == 200);
    cfg = json::parse(sim.mgmt("GET", "/v0/management/config").body).as_object();
    CHECK(cfg.at("usage-statistics-enabled") == false);
    CHECK(cfg.at("redis-usage-queue-retention-seconds") == 3600);
    CHECK(cfg.at("proxy-url") == "socks5://x:1");
    CHECK(sim.mgmt("GET", "/v0/management/config.yaml").body.find("custom-key: 7") != std::string::npos);
    CHECK(sim.mgmt("PUT", "/v0/management/config.yaml", "just words").status == 422);
}

TEST_CASE("unknown routes are gin's 404 without auth; old CPA has no usage-queue")
{
    sim_process sim({"--old-cpa"});
    http_client c("127.0.0.1", sim.port());
    auto r = c.get("/v0/management/nope");
    CHECK(r.status == 404);
    CHECK(r.body == "404 page not found");
    CHECK(r.header("x-cpa-version").empty());
    CHECK(sim.mgmt("GET", "/v0/management/usage-queue").status == 404);
    CHECK(sim.mgmt("GET", "/v0/management/config").status == 200);
    CHECK(c.get("/").status == 404);
}

TEST_CASE("api-keys, auth-files and refresh broadcast")
{
    sim_process sim;
    CHECK(sim.mgmt("PUT", "/v0/management/api-keys", R"(["k1","k2"])").status == 200);
    CHECK(sim.mgmt("GET", "/v0/management/api-keys").body == R"({"api-keys":["k1","k2"]})");

    resp_conn sub(sim.port());
    sub.command({"AUTH", sim_management_key});
    sub.read();
    sub.command({"SUBSCRIBE", "usage"});
    sub.read();
    sub.read(); // support_refresh
    REQUIRE(eventually([&] { return sim.stats().at("subscribers").at("usage").as_int64() == 1; }));

    http_client c("127.0.0.1", sim.port());
    const std::string body =
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"codex-a@example.com.json\"\r\n"
        "Content-Type: "
        "application/json\r\n\r\n{\"type\":\"codex\",\"email\":\"a@example.com\"}\r\n--XyZ--\r\n";
    auto up = c.request(
        "POST",
        "/v0/management/auth-files",
        body,
        {{"Authorization", "Bearer " + sim_management_key},
         {"Content-Type", "multipart/form-data; boundary=XyZ"}}
    );
    CHECK(up.status == 200);
    auto refresh = sub.read();
    REQUIRE(refresh);
    CHECK(refresh->elements.at(2).text == R"({"refresh":true})");

    auto list = json::parse(sim.mgmt("GET", "/v0/management/auth-files").body).at("files").as_array();
    REQUIRE(list.size() == 1);
    CHECK(list[0].at("provider") == "codex");
    CHECK(list[0].at("email") == "a@example.com");
    CHECK(list[0].at("auth_index").as_string().size() == 16);
    auto dl = sim.mgmt("GET", "/v0/management/auth-files/download?name=codex-a%40example.com.json");
    CHECK(dl.body == R"({"type":"codex","email":"a@example.com"})");
    CHECK(
        sim.mgmt(
               "PATCH",
               "/v0/management/auth-files/status",
               R"({"name":"codex-a@example.com.json","disabled":true})"
        )
            .status == 200
    );
    CHECK(
        json::parse(sim.mgmt("GET", "/v0/management/auth-files").body).at("files").at(0).at("disabled") ==
        true
    );
    CHECK(sim.mgmt("DELETE", "/v0/management/auth-files?name=codex-a@example.com.json").status == 200);
    CHECK(sim.mgmt("DELETE", "/v0/management/auth-files?name=codex-a@example.com.json").status == 404);
}

TEST_CASE("logs are incremental and can be large")
{
    sim_process sim;
    REQUIRE(sim.control("POST", "/_sim/logs?lines=300&bytes=4000").status == 200);
    auto all = json::parse(sim.mgmt("GET", "/v0/management/logs").body).as_object();
    auto latest = all.at("latest-timestamp").as_int64();
    CHECK(all.at("lines").as_array().size() >= 300);
    REQUIRE(sim.control("POST", "/_sim/logs?lines=2&bytes=10").status == 200);
    auto inc =
        json::parse(sim.mgmt("GET", "/v0/management/logs?after=" + std::to_string(latest)).body).as_object();
    CHECK(inc.at("lines").as_array().size() == 2);
    CHECK(inc.at("line-count") == 2);
}

TEST_CASE("large download is streamed with the declared length; SSE arrives chunked")
{
    sim_process sim;
    const std::uint64_t size = 20ull * 1024 * 1024 + 3;
    auto r = sim.mgmt("GET", "/v0/management/sim/download?bytes=" + std::to_string(size));
    REQUIRE(r.status == 200);
    REQUIRE(r.body.size() == size);
    CHECK(r.body[0] == 'a');
    CHECK(r.body[size - 1] == static_cast<char>('a' + (size - 1) % 26));
    auto sse = sim.mgmt("GET", "/v0/management/sim/sse?count=3&interval-ms=10");
    CHECK(sse.header("content-type") == "text/event-stream");
    CHECK(sse.header("transfer-encoding") == "chunked");
    // Three events, each stamped with the time it was written, in order.
    std::regex event(R"(id: (\d)\nevent: tick\ndata: \{"n":(\d),"t":(\d{13})\}\n\n)");
    std::vector<long long> stamps;
    for (auto it = std::sregex_iterator(sse.body.begin(), sse.body.end(), event);
         it != std::sregex_iterator();
         ++it)
    {
        CHECK((*it)[1] == std::to_string(stamps.size() + 1));
        CHECK((*it)[2] == (*it)[1]);
        stamps.push_back(std::stoll((*it)[3]));
    }
    REQUIRE(stamps.size() == 3);
    CHECK(stamps[2] - stamps[0] >= 20);
    CHECK(
        sse.body.size() ==
        3 * std::string("id: 1\nevent: tick\ndata: {\"n\":1,\"t\":1234567890123}\n\n").size()
    );

    auto up = sim.mgmt("PUT", "/v0/management/sim/upload", "abc");
    REQUIRE(up.status == 200);
    CHECK(up.body == R"({"bytes":3,"fnv1a":"e71fa2190541574b"})");
}

TEST_CASE("models need CPA's client key")
{
    sim_process sim({"--client-key", "client-1"});
    http_client c("127.0.0.1", sim.port());
    CHECK(c.get("/v1/models").status == 401);
    CHECK(c.get("/v1/models", {{"Authorization", "Bearer wrong"}}).status == 401);
    auto ok = c.get("/v1/models", {{"Authorization", "Bearer client-1"}});
    CHECK(ok.status == 200);
    CHECK(json::parse(ok.body).at("object") == "list");
    CHECK(c.get("/models", {{"X-Api-Key", "client-1"}}).status == 200);
    CHECK(c.get("/v1/models?key=client-1").status == 200);
    // The management key is not a client key.
    CHECK(c.get("/v1/models", {{"Authorization", "Bearer " + sim_management_key}}).status == 401);
}

TEST_CASE("request headers are recorded for the control API")
{
    sim_process sim;
    http_client c("127.0.0.1", sim.port());
    c.get("/v0/management/config", {{"Authorization", "Bearer " + sim_management_key}, {"X-Custom", "v1"}});
    auto reqs = json::parse(sim.control("GET", "/_sim/last-requests?n=5").body).as_array();
    REQUIRE(reqs.size() == 1); // /_sim calls are not recorded
    CHECK(reqs[0].at("target") == "/v0/management/config");
    CHECK(reqs[0].at("header_map").at("x-custom").at(0) == "v1");
    CHECK(reqs[0].at("header_map").at("authorization").at(0).as_string() == "Bearer " + sim_management_key);
    CHECK(sim.control("DELETE", "/_sim/last-requests").status == 200);
    CHECK(sim.control("GET", "/_sim/last-requests").body == "[]");
    // Without the control key: refused.
    CHECK(c.get("/_sim/stats").status == 401);
    CHECK(c.get("/_sim/stats", {{"Authorization", "Bearer " + sim_management_key}}).status == 401);
}

TEST_CASE("faults: 500, delay, dropped response; control API without --control-key is 404")
{
    sim_process sim;
    REQUIRE(sim.control("POST", "/_sim/faults", R"({"fail_500":1})").status == 200);
    auto r = sim.mgmt("GET", "/v0/management/config");
    CHECK(r.status == 500);
    CHECK(sim.mgmt("GET", "/v0/management/config").status == 200);

    REQUIRE(sim.control("POST", "/_sim/faults", R"({"delay_ms":300})").status == 200);
    auto start = std::chrono::steady_clock::now();
    CHECK(sim.mgmt("GET", "/v0/management/config").status == 200);
    CHECK(std::chrono::steady_clock::now() - start >= 290ms);
    REQUIRE(sim.control("POST", "/_sim/faults", R"({"delay_ms":0,"drop_mid_response":1})").status == 200);
    CHECK_THROWS(sim.mgmt("GET", "/v0/management/config"));
    CHECK(sim.mgmt("GET", "/v0/management/config").status == 200);
    CHECK(sim.control("POST", "/_sim/faults", "[]").status == 400);

    process_options o;
    o.args = {"--listen", "127.0.0.1:0", "--management-key", "k"};
    child_process p(bin_dir() / "cpa-sim", o);
    REQUIRE(p.wait_for_output("listening on 127.0.0.1:", 10s));
    REQUIRE(p.wait_for_output("\n", 10s));
    auto out = p.output();
    auto port = static_cast<std::uint16_t>(std::stoi(out.substr(out.find("127.0.0.1:") + 10)));
    http_client c("127.0.0.1", port);
    CHECK(c.get("/_sim/stats", {{"Authorization", "Bearer "}}).status == 404);
}

namespace
{

namespace asio = boost::asio;
namespace ssl = asio::ssl;

// A TLS connection trusting the simulator's certificate, optionally offering ALPN.
std::string
tls_exchange(std::uint16_t port, const std::string& cert, const std::string& request, bool alpn_http)
{
    asio::io_context ioc;
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(cert);
    ctx.set_verify_mode(ssl::verify_peer);
    ssl::stream<asio::ip::tcp::socket> s(ioc, ctx);
    if (alpn_http)
    {
        static const unsigned char protos[] = "\x08http/1.1";
        SSL_set_alpn_protos(s.native_handle(), protos, sizeof protos - 1);
    }
    SSL_set1_host(s.native_handle(), "localhost");
    s.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    s.handshake(ssl::stream_base::client);
    asio::write(s, asio::buffer(request));
    std::string out;
    std::array<char, 4096> buf{};
    boost::system::error_code ec;
    while (out.find("\r\n") == std::string::npos ||
           (out[0] == 'H' && out.find("\r\n\r\n") == std::string::npos))
    {
        auto n = s.read_some(asio::buffer(buf), ec);
        if (ec)
            break;
        out.append(buf.data(), n);
    }
    return out;
}

} // namespace

TEST_CASE("TLS: certificate written for tests; ALPN http/1.1 goes to HTTP, no ALPN sniffs RESP")
{
    temp_dir d;
    auto cert = (d / "cert.pem").string();
    sim_process sim({"--tls", "--tls-cert-out", cert});
    REQUIRE(std::filesystem::exists(cert));
    auto http = tls_exchange(sim.port(), cert, "GET /v0/management/config HTTP/1.1\r\nHost: x\r\n\r\n", true);
    CHECK(http.rfind("HTTP/1.1 401", 0) == 0);
    auto resp = tls_exchange(sim.port(), cert, resp::encode_command({"AUTH", sim_management_key}), false);
    CHECK(resp == "+OK\r\n");
    auto http_sniffed = tls_exchange(sim.port(), cert, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", false);
    CHECK(http_sniffed.rfind("HTTP/1.1 404", 0) == 0);
}
