// RESP side of cpa-sim (spec §3.3-§3.5): byte-exact exchanges over a raw socket, one test per
// row of the §3.4 command table, and redis-cli as a real client.

#include "sim_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/resp/command.hpp>
#include <cpamd/resp/encode.hpp>

using namespace cpamd;
using namespace cpamd::test;
using namespace std::chrono_literals;

namespace
{

// A RESP bulk string, written out byte by byte.
std::string bulk(const std::string& s)
{
    return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

const std::string auth_cmd = resp::encode_command({"AUTH", sim_management_key});

// A sim with stats on and no generator; records come from the control API.
struct quiet_sim : sim_process
{
    quiet_sim(std::vector<std::string> extra = {}) : sim_process(with_stats(std::move(extra))) {}
    static std::vector<std::string> with_stats(std::vector<std::string> v)
    {
        v.insert(v.end(), {"--usage-statistics-enabled", "true"});
        return v;
    }
    void enqueue(const std::string& rec) { REQUIRE(control("POST", "/_sim/enqueue", rec).status == 200); }
};

// Reads exactly as many bytes as `expected` has, so a mismatch shows the real bytes.
#define CHECK_BYTES(conn, expected)                                                                          \
    do                                                                                                       \
    {                                                                                                        \
        const std::string e_ = expected;                                                                     \
        CHECK(conn.read_bytes(e_.size()) == e_);                                                             \
    } while (0)

std::string authed_exchange(resp_conn& c, const std::string& bytes, std::size_t expect)
{
    c.send(bytes);
    return c.read_bytes(expect);
}

} // namespace

TEST_CASE("spec 3.5 byte-level exchange: auth, pops, errors")
{
    quiet_sim sim;
    sim.enqueue(R"({"id":1})");
    sim.enqueue(R"({"id":2})");
    resp_conn c(sim.port());
    CHECK(authed_exchange(c, "*2\r\n$4\r\nAUTH\r\n" + bulk(sim_management_key), 5) == "+OK\r\n");
    CHECK(
        authed_exchange(c, "*3\r\n$4\r\nRPOP\r\n$5\r\nusage\r\n$3\r\n100\r\n", 32) ==
        "*2\r\n$8\r\n{\"id\":1}\r\n$8\r\n{\"id\":2}\r\n"
    );
    CHECK(authed_exchange(c, "*3\r\n$4\r\nLPOP\r\n$5\r\nusage\r\n$1\r\n5\r\n", 4) == "*0\r\n");
    CHECK(authed_exchange(c, "*2\r\n$4\r\nLPOP\r\n$5\r\nusage\r\n", 5) == "$-1\r\n");
    const std::string unsupported = "-ERR unsupported channel 'errors'\r\n";
    CHECK(
        authed_exchange(c, "*3\r\n$4\r\nRPOP\r\n$6\r\nerrors\r\n$1\r\n2\r\n", unsupported.size()) ==
        unsupported
    );
}

TEST_CASE("AUTH: one or two arguments, user ignored, re-AUTH allowed, errors exact")
{
    quiet_sim sim;
    resp_conn c(sim.port());
    c.command({"AUTH", sim_management_key});
    CHECK(c.read()->text == "OK");
    c.command({"auth", "default", sim_management_key});
    CHECK(c.read()->text == "OK");
    c.command({"AUTH"});
    auto r = c.read();
    CHECK(r->type == resp::kind::error);
    CHECK(r->text == "ERR wrong number of arguments for 'auth' command");
    c.command({"AUTH", "a", "b", "c"});
    CHECK(c.read()->text == "ERR wrong number of arguments for 'auth' command");
    c.command({"AUTH", "wrong"});
    CHECK(c.read()->text == "ERR invalid management key");
    c.command({"AUTH", ""});
    CHECK(c.read()->text == "ERR missing management key");
}

TEST_CASE("a command before AUTH gets NOAUTH and counts toward the ban (HTTP too)")
{
    quiet_sim sim;
    {
        resp_conn c(sim.port());
        c.send("*1\r\n$4\r\nPING\r\n");
        CHECK_BYTES(c, "-NOAUTH Authentication required.\r\n");
        c.send(auth_cmd);
        CHECK_BYTES(c, "+OK\r\n"); // success resets the counter
    }
    resp_conn c(sim.port());
    for (int i = 0; i < 5; ++i)
    {
        c.command({"LPOP", "usage"});
        auto r = c.read();
        REQUIRE(r);
        CHECK(r->text == "NOAUTH Authentication required.");
    }
    c.send(auth_cmd);
    auto banned = c.read();
    REQUIRE(banned);
    CHECK(banned->text == "ERR IP banned due to too many failed attempts. Try again in 30m0s");
    // Shared with HTTP: the right key is refused there too.
    auto h = sim.mgmt("GET", "/v0/management/usage-queue");
    CHECK(h.status == 403);
    CHECK(h.body.find("IP banned due to too many failed attempts. Try again in ") != std::string::npos);
    CHECK(h.header("x-cpa-version") == "7.2.140");
}

TEST_CASE("LPOP and RPOP both pop the oldest item; count form and single form")
{
    quiet_sim sim;
    for (int i = 1; i <= 4; ++i)
        sim.enqueue("{\"n\":" + std::to_string(i) + "}");
    resp_conn c(sim.port());
    c.send(auth_cmd);
    c.read();
    c.command({"RPOP", "usage"});
    CHECK(c.read()->text == R"({"n":1})");
    c.command({"LPOP", "USAGE"});
    CHECK(c.read()->text == R"({"n":2})");
    c.command({"rpop", " usage ", "10"});
    auto arr = c.read();
    REQUIRE(arr->type == resp::kind::array);
    REQUIRE(arr->elements.size() == 2);
    CHECK(arr->elements[0].text == R"({"n":3})");
    CHECK(arr->elements[1].text == R"({"n":4})");
    c.command({"RPOP", "usage"});
    CHECK(c.read()->type == resp::kind::null_bulk);
    c.command({"RPOP", "usage", "3"});
    auto empty = c.read();
    CHECK(empty->type == resp::kind::array);
    CHECK(empty->elements.empty());
}

TEST_CASE("pop argument errors and unsupported keys")
{
    quiet_sim sim;
    resp_conn c(sim.port());
    c.send(auth_cmd);
    c.read();
    for (auto bad : {"0", "-1", "abc", "1.5", ""})
    {
        c.command({"LPOP", "usage", bad});
        CHECK(c.read()->text == "ERR value is not an integer or out of range");
    }
    c.command({"LPOP"});
    CHECK(c.read()->text == "ERR wrong number of arguments for 'lpop' command");
    c.command({"RPOP", "usage", "1", "2"});
    CHECK(c.read()->text == "ERR wrong number of arguments for 'rpop' command");
    c.command({"LPOP", "queue", "2"});
    CHECK(c.read()->text == "ERR unsupported channel 'queue'");
    c.command({"RPOP", "errors"});
    CHECK(c.read()->text == "ERR unsupported channel 'errors'");
}

TEST_CASE("unknown commands answer lower-case and keep the connection; *0 is an empty command")
{
    quiet_sim sim;
    resp_conn c(sim.port());
    c.send(auth_cmd);
    c.read();
    for (auto cmd : {"PING", "SELECT", "HELLO", "CLIENT", "ECHO", "QUIT", "PSUBSCRIBE"})
    {
        c.command({cmd, "x"});
        CHECK(c.read()->text == "ERR unknown command '" + resp::to_lower(cmd) + "'");
    }
    c.send("*0\r\n");
    CHECK_BYTES(c, "-ERR empty command\r\n");
    c.command({"LPOP", "usage"});
    CHECK(c.read()->type == resp::kind::null_bulk);
}

TEST_CASE("malformed input: -ERR protocol error, then close")
{
    quiet_sim sim;
    SECTION("bad bulk terminator")
    {
        resp_conn c(sim.port());
        c.send("*1\r\n$4\r\nPINGxx");
        CHECK_BYTES(c, "-ERR protocol error\r\n");
        CHECK(c.closed_by_peer());
    }
    SECTION("nested array")
    {
        resp_conn c(sim.port());
        c.send("*1\r\n*1\r\n:1\r\n");
        CHECK_BYTES(c, "-ERR protocol error\r\n");
        CHECK(c.closed_by_peer());
    }
    SECTION("top-level simple string")
    {
        resp_conn c(sim.port());
        c.send("+PING\r\n");
        CHECK_BYTES(c, "-ERR protocol error\r\n");
        CHECK(c.closed_by_peer());
    }
    SECTION("huge bulk length")
    {
        resp_conn c(sim.port());
        c.send("*1\r\n$99999999999\r\n");
        CHECK_BYTES(c, "-ERR protocol error\r\n");
        CHECK(c.closed_by_peer());
    }
}

TEST_CASE("elements may be simple strings, integers and nil bulks")
{
    quiet_sim sim;
    sim.enqueue("{}");
    resp_conn c(sim.port());
    c.send("*2\r\n+AUTH\r\n" + bulk(sim_management_key));
    CHECK(c.read()->text == "OK");
    c.send("*3\r\n$4\r\nLPOP\r\n+usage\r\n:1\r\n");
    auto r = c.read();
    REQUIRE(r->elements.size() == 1);
    c.send("*2\r\n$4\r\nLPOP\r\n$-1\r\n");
    CHECK(c.read()->text == "ERR unsupported channel ''");
}

TEST_CASE("SUBSCRIBE usage: reply, support_refresh first, events, refresh, PING, UNSUBSCRIBE closes")
{
    quiet_sim sim;
    sim.enqueue(R"({"queued":"before"})"); // stays queued: no replay
    resp_conn c(sim.port());
    c.send(auth_cmd);
    c.read();
    c.send("*2\r\n$9\r\nSUBSCRIBE\r\n$5\r\nusage\r\n");
    CHECK_BYTES(c, "*3\r\n$9\r\nsubscribe\r\n$5\r\nusage\r\n:1\r\n");
    CHECK_BYTES(c, "*3\r\n$7\r\nmessage\r\n$5\r\nusage\r\n$24\r\n{\"support_refresh\":true}\r\n");
    REQUIRE(eventually([&] { return sim.stats().at("subscribers").at("usage").as_int64() == 1; }));
    sim.enqueue(R"({"live":1})");
    auto m = c.read();
    REQUIRE(m);
    CHECK(resp::debug_string(*m) == R"(["message", "usage", "{"live":1}"])");
    c.send("*1\r\n$4\r\nPING\r\n");
    CHECK_BYTES(c, "*2\r\n$4\r\npong\r\n$-1\r\n");
    c.command({"PING", "hi"});
    CHECK(resp::debug_string(*c.read()) == R"(["pong", "hi"])");
    REQUIRE(sim.control("POST", "/_sim/refresh").status == 200);
    CHECK_BYTES(c, "*3\r\n$7\r\nmessage\r\n$5\r\nusage\r\n$16\r\n{\"refresh\":true}\r\n");
    c.command({"LPOP", "usage"});
    CHECK(c.read()->text == "ERR unknown command 'lpop'");
    c.send("*1\r\n$11\r\nUNSUBSCRIBE\r\n");
    CHECK_BYTES(c, "*3\r\n$11\r\nunsubscribe\r\n$5\r\nusage\r\n:0\r\n");
    CHECK(c.closed_by_peer());
    // The record queued before the subscription is still there.
    auto h = sim.mgmt("GET", "/v0/management/usage-queue?count=10");
    CHECK(h.body == R"([{"queued":"before"}])");
}

TEST_CASE("SUBSCRIBE errors, QUIT while subscribed, and SUBSCRIBE argument errors")
{
    quiet_sim sim;
    resp_conn c(sim.port());
    c.send(auth_cmd);
    c.read();
    c.command({"SUBSCRIBE"});
    CHECK(c.read()->text == "ERR wrong number of arguments for 'subscribe' command");
    c.command({"SUBSCRIBE", "usage", "errors"});
    CHECK(c.read()->text == "ERR wrong number of arguments for 'subscribe' command");
    c.command({"SUBSCRIBE", "Other"});
    CHECK(c.read()->text == "ERR unsupported channel 'Other'");
    c.command({"SUBSCRIBE", "Errors"});
    CHECK(resp::debug_string(*c.read()) == R"(["subscribe", "Errors", :1])");
    REQUIRE(eventually([&] { return sim.stats().at("subscribers").at("errors").as_int64() == 1; }));
    REQUIRE(sim.control("POST", "/_sim/error-event", R"({"status_code":429})").status == 200);
    CHECK(resp::debug_string(*c.read()) == R"(["message", "errors", "{"status_code":429}"])");
    c.command({"QUIT"});
    CHECK_BYTES(c, "+OK\r\n");
    CHECK(c.closed_by_peer());
}

TEST_CASE("RESP disabled like v7.1.17")
{
    quiet_sim sim({"--resp-disabled"});
    resp_conn c(sim.port());
    c.send(auth_cmd);
    CHECK_BYTES(c, "-ERR RESP AUTH disabled; use mTLS\r\n");
    CHECK(c.closed_by_peer());
}

TEST_CASE("the first byte decides: inline PING goes to HTTP")
{
    quiet_sim sim;
    resp_conn c(sim.port());
    c.send("PING\r\n\r\n");
    auto reply = c.read_bytes(12);
    CHECK(reply == "HTTP/1.1 400");
}

TEST_CASE("a connection that sends nothing is closed after the sniff deadline")
{
    quiet_sim sim({"--sniff-timeout-ms", "300"});
    resp_conn c(sim.port());
    auto start = std::chrono::steady_clock::now();
    CHECK(c.closed_by_peer(5s));
    CHECK(std::chrono::steady_clock::now() - start >= 250ms);
}

TEST_CASE("redis-cli: AUTH + RPOP, NOAUTH, unknown commands, SUBSCRIBE")
{
    sim_process sim({"--usage-statistics-enabled", "true", "--rate", "500", "--total", "50"});
    REQUIRE(eventually([&] { return sim.stats().at("queue_depth").as_int64() >= 20; }));
    const std::string cli = "redis-cli -p " + std::to_string(sim.port()) + " --no-auth-warning ";
    auto out = run_capture(cli + "-a " + sim_management_key + " RPOP usage 5");
    std::vector<std::string> lines;
    for (std::size_t pos = 0; pos < out.size();)
    {
        auto nl = out.find('\n', pos);
        lines.push_back(out.substr(pos, nl - pos));
        pos = nl == std::string::npos ? out.size() : nl + 1;
    }
    REQUIRE(lines.size() == 5);
    for (const auto& l : lines)
    {
        auto rec = boost::json::parse(l).as_object();
        CHECK(rec.contains("token_breakdown"));
        CHECK(rec.begin()->key() == "timestamp");
    }
    // redis-cli sends AUTH and the command, nothing else (no HELLO, CLIENT, SELECT).
    auto log = boost::json::parse(sim.control("GET", "/_sim/last-requests?n=10").body).as_array();
    std::vector<std::string> sent;
    for (const auto& r : log)
        if (r.at("protocol") == "resp")
            sent.push_back(
                std::string(r.at("method").as_string()) + " " + std::string(r.at("target").as_string())
            );
    CHECK(sent == std::vector<std::string>{"AUTH " + sim_management_key, "RPOP usage 5"});
    CHECK(run_capture(cli + "LPOP usage") == "NOAUTH Authentication required.\n\n");
    CHECK(run_capture(cli + "-a " + sim_management_key + " HELLO 3") == "ERR unknown command 'hello'\n\n");
    CHECK(run_capture(cli + "-a " + sim_management_key + " PING") == "ERR unknown command 'ping'\n\n");

    process_options o;
    o.args = {
        "-p",
        std::to_string(sim.port()),
        "--no-auth-warning",
        "-a",
        sim_management_key,
        "SUBSCRIBE",
        "usage"};
    child_process sub("/usr/bin/redis-cli", o);
    CHECK(sub.wait_for_output("subscribe\nusage\n1\nmessage\nusage\n{\"support_refresh\":true}\n", 10s));
    sub.signal(SIGTERM);
    sub.wait(5s);
}

TEST_CASE("redis-cli: wrong passwords (and the NOAUTH after them) ban the IP")
{
    quiet_sim sim;
    const std::string cli = "redis-cli -p " + std::to_string(sim.port()) + " --no-auth-warning ";
    // redis-cli sends AUTH (failure 1), then RPOP anyway (NOAUTH: failure 2).
    CHECK(run_capture(cli + "-a wrong RPOP usage") == "NOAUTH Authentication required.\n\n");
    CHECK(run_capture(cli + "-a wrong RPOP usage") == "NOAUTH Authentication required.\n\n");
    // Failure 5 is this AUTH; the RPOP after it already meets the ban.
    auto out = run_capture(cli + "-a wrong RPOP usage");
    CHECK(out.find("ERR IP banned due to too many failed attempts. Try again in 30m0s") != std::string::npos);
    out = run_capture(cli + "-a " + sim_management_key + " RPOP usage");
    CHECK(out.find("IP banned due to too many failed attempts") != std::string::npos);
}
