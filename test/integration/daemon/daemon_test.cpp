// The real cpamd binary over real sockets.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>
#include <csignal>
#include <thread>

using namespace std::chrono_literals;
using cpamd::test::http_client;
using cpamd::test::running_daemon;

namespace
{

void check_health_prompt(const running_daemon& d)
{
    auto start = std::chrono::steady_clock::now();
    auto c = d.client();
    auto r = c.get("/health");
    CHECK(r.status == 200);
    CHECK(std::chrono::steady_clock::now() - start < 500ms);
}

} // namespace

TEST_CASE("GET /health answers as the upstream plus our fields", "[daemon]")
{
    running_daemon d;
    auto c = d.client();
    auto r = c.get("/health");
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "application/json");
    auto v = boost::json::parse(r.body).as_object();
    CHECK(v.at("ok").as_bool());
    CHECK(v.at("service").as_string() == "cpa-manager-plus");
    CHECK(v.at("implementation").as_string() == "cpamd");
    CHECK_FALSE(v.at("version").as_string().empty());
    CHECK(r.body.rfind("{\"ok\":true,\"service\":\"cpa-manager-plus\"", 0) == 0);
    CHECK(r.body.back() == '\n');
}

TEST_CASE("GET /usage-service/info has every field of the spec", "[daemon]")
{
    running_daemon d;
    auto c = d.client();
    auto r = c.get("/usage-service/info");
    REQUIRE(r.status == 200);
    auto v = boost::json::parse(r.body).as_object();
    CHECK(v.at("service").as_string() == "cpa-manager-plus");
    CHECK(v.at("mode").as_string() == "embedded");
    auto started = v.at("startedAt").as_int64();
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch()
    )
                   .count();
    CHECK(started <= now);
    CHECK(started > now - 60000);
    for (const char* key :
         {"configured",
          "adminReady",
          "projectInitialized",
          "setupRequired",
          "dataKeyReady",
          "hasHistoricalData"})
    {
        CAPTURE(key);
        CHECK(v.at(key).is_bool());
    }
}

TEST_CASE("unknown paths get 404 JSON and wrong methods 405", "[daemon]")
{
    running_daemon d;
    auto c = d.client();
    auto r = c.get("/no/such/thing");
    CHECK(r.status == 404);
    CHECK(r.header("content-type") == "application/json");
    CHECK(boost::json::parse(r.body).at("code").as_string() == "not_found");
    r = c.request("POST", "/health", "{}");
    CHECK(r.status == 405);
    CHECK(boost::json::parse(r.body).at("code").as_string() == "method_not_allowed");
}

TEST_CASE("200 concurrent keep-alive connections are all served", "[daemon]")
{
    running_daemon d;
    std::vector<std::unique_ptr<http_client>> clients;
    for (int i = 0; i < 200; ++i)
        clients.push_back(std::make_unique<http_client>("127.0.0.1", d.port()));
    // Every connection stays open while the others are used: three rounds over all of them.
    for (int round = 0; round < 3; ++round)
        for (auto& c : clients)
        {
            auto r = c->get("/health");
            REQUIRE(r.status == 200);
            REQUIRE(r.keep_alive);
        }
}

TEST_CASE("bad clients do not stop others from being served", "[daemon]")
{
    running_daemon d;
    SECTION("malformed request")
    {
        auto c = d.client();
        c.send_raw("NOT HTTP AT ALL\r\n\r\n");
        check_health_prompt(d);
        auto raw = c.read_raw();
        CHECK(raw.rfind("HTTP/1.1 400", 0) == 0);
    }
    SECTION("oversized header")
    {
        auto c = d.client();
        c.send_raw("GET /health HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(17 * 1024, 'c') + "\r\n\r\n");
        auto raw = c.read_raw();
        CHECK(raw.rfind("HTTP/1.1 431", 0) == 0);
        check_health_prompt(d);
    }
    SECTION("slowloris")
    {
        std::vector<std::unique_ptr<http_client>> slow;
        for (int i = 0; i < 20; ++i)
        {
            slow.push_back(std::make_unique<http_client>("127.0.0.1", d.port()));
            slow.back()->send_raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        }
        check_health_prompt(d);
        std::this_thread::sleep_for(200ms);
        check_health_prompt(d);
    }
    SECTION("path tricks")
    {
        auto c = d.client();
        c.send_raw("GET /usage-service/../health HTTP/1.1\r\nHost: x\r\n\r\n");
        auto raw = c.read_raw();
        CHECK(raw.rfind("HTTP/1.1 400", 0) == 0);
        check_health_prompt(d);
    }
    CHECK(d.process().running());
}

TEST_CASE("SIGTERM stops the daemon with exit code 0 within 5 s", "[daemon]")
{
    running_daemon d;
    auto keep = d.client();
    CHECK(keep.get("/health").status == 200); // an idle keep-alive connection must not delay exit
    d.process().signal(SIGTERM);
    auto code = d.process().wait(5s);
    INFO(d.process().output());
    REQUIRE(code);
    CHECK(*code == 0);
    CHECK(d.process().output().find("stopped") != std::string::npos);
}

TEST_CASE("SIGINT stops the daemon too", "[daemon]")
{
    running_daemon d;
    d.process().signal(SIGINT);
    auto code = d.process().wait(5s);
    REQUIRE(code);
    CHECK(*code == 0);
}

TEST_CASE("the data directory is created private", "[daemon]")
{
    running_daemon d;
    auto perms = std::filesystem::status(d.data_dir()).permissions();
    CHECK((perms & std::filesystem::perms::group_all) == std::filesystem::perms::none);
    CHECK((perms & std::filesystem::perms::others_all) == std::filesystem::perms::none);
}

TEST_CASE("a port already in use is a clear error, not a hang", "[daemon]")
{
    running_daemon first;
    cpamd::test::temp_dir dir;
    cpamd::test::process_options o;
    o.args = {"serve"};
    o.env = {
        {"HTTP_ADDR", "127.0.0.1:" + std::to_string(first.port())}, {"USAGE_DATA_DIR", (dir / "d").string()}};
    cpamd::test::child_process second(cpamd::test::bin_dir() / "cpamd", o);
    auto code = second.wait(5s);
    REQUIRE(code);
    CHECK(*code == 1);
    CHECK(second.output().find("cannot listen on") != std::string::npos);
}

TEST_CASE("a second daemon on the same data directory is refused", "[daemon]")
{
    running_daemon first;
    cpamd::test::process_options o;
    o.args = {"serve"};
    o.env = {{"HTTP_ADDR", "127.0.0.1:0"}, {"USAGE_DATA_DIR", first.data_dir().string()}};
    cpamd::test::child_process second(cpamd::test::bin_dir() / "cpamd", o);
    auto code = second.wait(5s);
    REQUIRE(code);
    CHECK(*code == 1);
    CHECK(second.output().find("another cpamd process") != std::string::npos);
    CHECK(first.client().get("/health").status == 200);
    CHECK(std::filesystem::exists(first.data_dir() / "usage.sqlite"));
}
