// Queue semantics of cpa-sim (spec §0, §4, §7) and the generator's records (spec §1), checked
// against the ledger.

#include "sim_fixture.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <thread>

using namespace cpamd;
using namespace cpamd::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace
{

void subscribe(resp_conn& c)
{
    c.command({"AUTH", sim_management_key});
    REQUIRE(c.read()->text == "OK");
    c.command({"SUBSCRIBE", "usage"});
    REQUIRE(c.read());
    REQUIRE(c.read()->elements.at(2).text == R"({"support_refresh":true})");
}

std::vector<json::object> events_of(const std::vector<json::object>& lines, std::int64_t seq)
{
    std::vector<json::object> out;
    for (const auto& l : lines)
        if (l.at("seq").as_int64() == seq)
            out.push_back(l);
    return out;
}

} // namespace

TEST_CASE("subscribers divert records from the queue, each gets its own copy")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    resp_conn a(sim.port());
    resp_conn b(sim.port());
    subscribe(a);
    subscribe(b);
    REQUIRE(eventually([&] { return sim.stats().at("subscribers").at("usage").as_int64() == 2; }));
    REQUIRE(sim.control("POST", "/_sim/enqueue", R"({"x":1})").status == 200);
    CHECK(a.read()->elements.at(2).text == R"({"x":1})");
    CHECK(b.read()->elements.at(2).text == R"({"x":1})");
    CHECK(sim.mgmt("GET", "/v0/management/usage-queue?count=10").body == "[]");
    auto lines = sim.ledger_lines();
    REQUIRE(eventually(
        [&]
        {
            lines = sim.ledger_lines();
            return events_of(lines, 1).size() == 3;
        }
    ));
    auto ev = events_of(lines, 1);
    CHECK(ev[0].at("event") == "produced");
    CHECK(ev[0].at("record") == R"({"x":1})");
    CHECK(ev[1].at("event") == "delivered");
    CHECK(ev[1].at("via") == "subscriber");
    CHECK(ev[2].at("via") == "subscriber");
    CHECK(ev[1].at("subscriber") != ev[2].at("subscriber"));
}

TEST_CASE("a subscriber that does not keep up is disconnected after 256 messages; the overflow is lost")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    resp_conn slow(sim.port());
    subscribe(slow);
    REQUIRE(eventually([&] { return sim.stats().at("subscribers").at("usage").as_int64() == 1; }));
    // 300 records in one request: the sink fills before its writer can run.
    std::string batch;
    for (int i = 0; i < 300; ++i)
        batch += "{\"i\":" + std::to_string(i) + "}\n";
    REQUIRE(sim.control("POST", "/_sim/enqueue?split=lines", batch).status == 200);
    CHECK(slow.closed_by_peer(10s));
    auto st = sim.stats();
    CHECK(st.at("subscribers").at("usage") == 0);
    CHECK(st.at("overflow_disconnects") == 1);
    // Record 257 overflowed (lost, not queued); records after it went to the queue. The buffered
    // ones are logged when the dead session's writer winds down, so wait for those lines.
    REQUIRE(eventually([&] { return events_of(sim.ledger_lines(), 1).size() == 2; }));
    auto lines = sim.ledger_lines();
    auto ev = events_of(lines, 257);
    REQUIRE(ev.size() == 2);
    CHECK(ev[1].at("event") == "lost");
    CHECK(ev[1].at("reason") == "overflow");
    CHECK(events_of(lines, 258).at(1).at("event") == "queued");
    // The 256 buffered before the overflow were never written: lost on disconnect.
    CHECK(events_of(lines, 1).at(1).at("event") == "lost");
    CHECK(events_of(lines, 1).at(1).at("reason") == "disconnect");
    auto rest = json::parse(sim.mgmt("GET", "/v0/management/usage-queue?count=1000").body).as_array();
    CHECK(rest.size() == 43);
    CHECK(rest.at(0).at("i") == 257);
}

TEST_CASE("records expire by enqueue age, lazily, and are logged as expired")
{
    sim_process sim({"--usage-statistics-enabled", "true", "--retention-seconds", "1"});
    REQUIRE(sim.control("POST", "/_sim/enqueue", R"({"old":true})").status == 200);
    auto cfg = json::parse(sim.mgmt("GET", "/v0/management/config").body);
    CHECK(cfg.at("redis-usage-queue-retention-seconds") == 1);
    // Lazy: still counted in the depth until the next pop or enqueue.
    std::this_thread::sleep_for(1100ms); // retention itself is the behaviour under test
    CHECK(sim.stats().at("queue_depth") == 1);
    CHECK(sim.mgmt("GET", "/v0/management/usage-queue").body == "[]");
    CHECK(sim.stats().at("expired") == 1);
    auto ev = events_of(sim.ledger_lines(), 1);
    REQUIRE(ev.size() == 3);
    CHECK(ev[2].at("event") == "expired");
    // Retention changes apply at the next prune and are normalised.
    CHECK(
        json::parse(sim.control("POST", "/_sim/retention", R"({"seconds":0})").body)
            .at("retention_seconds") == 60
    );
    CHECK(
        json::parse(sim.control("POST", "/_sim/retention", R"({"seconds":7200})").body)
            .at("retention_seconds") == 3600
    );
}

TEST_CASE("usage-statistics-enabled gates enqueueing but does not clear the queue")
{
    sim_process sim;
    REQUIRE(sim.control("POST", "/_sim/enqueue", R"({"a":1})").status == 200);
    CHECK(sim.mgmt("GET", "/v0/management/usage-queue").body == "[]");
    CHECK(events_of(sim.ledger_lines(), 1).at(1).at("event") == "discarded");
    REQUIRE(sim.mgmt("PUT", "/v0/management/usage-statistics-enabled", R"({"value":true})").status == 200);
    REQUIRE(sim.control("POST", "/_sim/enqueue", R"({"a":2})").status == 200);
    REQUIRE(sim.mgmt("PUT", "/v0/management/usage-statistics-enabled", R"({"value":false})").status == 200);
    REQUIRE(sim.control("POST", "/_sim/enqueue", R"({"a":3})").status == 200);
    CHECK(sim.mgmt("GET", "/v0/management/usage-queue?count=10").body == R"([{"a":2}])");
    CHECK(sim.stats().at("discarded") == 2);
}

TEST_CASE("restart empties the queue and closes subscribers")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    REQUIRE(sim.control("POST", "/_sim/enqueue", R"({"a":1})").status == 200);
    resp_conn sub(sim.port());
    subscribe(sub);
    REQUIRE(sim.control("POST", "/_sim/restart").status == 200);
    CHECK(sub.closed_by_peer());
    CHECK(sim.mgmt("GET", "/v0/management/usage-queue").body == "[]");
    auto ev = events_of(sim.ledger_lines(), 1);
    CHECK(ev.back().at("event") == "lost");
    CHECK(ev.back().at("reason") == "restart");
}

TEST_CASE("generator: --total, pause/resume, realistic and consistent records")
{
    sim_process sim({"--usage-statistics-enabled", "true", "--rate", "2000", "--total", "400", "--seed", "7"}
    );
    REQUIRE(eventually([&] { return sim.stats().at("generator_done") == true; }, 20s));
    CHECK(sim.stats().at("produced") == 400);
    auto items = json::parse(sim.mgmt("GET", "/v0/management/usage-queue?count=1000").body).as_array();
    REQUIRE(items.size() == 400);

    const std::vector<std::string> order = {
        "timestamp",
        "latency_ms",
        "ttft_ms",
        "source",
        "auth_index",
        "access_token_sha256",
        "client_ip",
        "x_forwarded_for",
        "user_agent",
        "tokens",
        "failed",
        "generate",
        "fail",
        "response_headers",
        "accounting_version",
        "token_breakdown",
        "provider",
        "executor_type",
        "model",
        "alias",
        "endpoint",
        "auth_type",
        "api_key",
        "request_id",
        "reasoning_effort",
        "service_tier",
        "response_service_tier"};
    std::set<std::string> providers;
    std::size_t failures = 0, shared_ids = 0, min_size = 1 << 20, max_size = 0;
    std::map<std::string, int> ids;
    bool offset_seen = false;
    for (const auto& v : items)
    {
        const auto& r = v.as_object();
        std::size_t last = 0;
        for (const auto& kv : r)
        {
            auto it = std::find(order.begin(), order.end(), std::string(kv.key()));
            REQUIRE(it != order.end());
            std::size_t idx = static_cast<std::size_t>(it - order.begin());
            CHECK(idx >= last); // keys in spec §1 order
            last = idx;
        }
        auto size = json::serialize(v).size();
        min_size = std::min(min_size, size);
        max_size = std::max(max_size, size);
        providers.insert(std::string(r.at("provider").as_string()));
        const auto& tb = r.at("token_breakdown").as_object();
        const auto& in = tb.at("input").as_object();
        const auto& out = tb.at("output").as_object();
        CHECK(
            in.at("total_tokens").as_int64() == in.at("uncached_tokens").as_int64() +
                                                    in.at("cache_read_tokens").as_int64() +
                                                    in.at("cache_write_tokens").as_int64()
        );
        CHECK(
            out.at("total_tokens").as_int64() ==
            out.at("non_reasoning_tokens").as_int64() + out.at("reasoning_tokens").as_int64()
        );
        CHECK(
            tb.at("total_tokens").as_int64() == in.at("total_tokens").as_int64() +
                                                    out.at("total_tokens").as_int64() +
                                                    tb.at("unclassified_tokens").as_int64()
        );
        const auto& t = r.at("tokens").as_object();
        std::string p(r.at("provider").as_string());
        if (p == "claude")
            CHECK(t.at("input_tokens").as_int64() == in.at("uncached_tokens").as_int64());
        else
            CHECK(
                t.at("input_tokens").as_int64() ==
                in.at("uncached_tokens").as_int64() + in.at("cache_read_tokens").as_int64()
            );
        CHECK(t.at("cached_tokens") == t.at("cache_read_tokens"));
        CHECK(r.at("auth_index").as_string().size() == 16);
        auto rid = std::string(r.at("request_id").as_string());
        CHECK((rid.empty() || rid.size() == 8));
        if (!rid.empty() && ++ids[rid] == 2)
            ++shared_ids;
        if (r.at("failed").as_bool())
        {
            ++failures;
            CHECK(r.at("fail").at("status_code").as_int64() >= 400);
            CHECK(!r.at("fail").at("body").as_string().empty());
        }
        else
            CHECK(r.at("fail").at("status_code") == 200);
        auto ts = std::string(r.at("timestamp").as_string());
        if (ts.back() != 'Z')
            offset_seen = true;
    }
    CHECK(providers.size() >= 5);
    CHECK(failures > 10);
    CHECK(shared_ids > 0);
    CHECK(offset_seen);
    CHECK(min_size >= 500);
    CHECK(max_size >= 2500);
    CHECK(max_size <= 4096 + 512);
}

TEST_CASE("generator: the same seed gives the same records apart from the timestamp")
{
    auto run = [](const char* seed)
    {
        sim_process sim(
            {"--usage-statistics-enabled", "true", "--rate", "5000", "--total", "50", "--seed", seed}
        );
        REQUIRE(eventually([&] { return sim.stats().at("generator_done") == true; }, 20s));
        auto a = json::parse(sim.mgmt("GET", "/v0/management/usage-queue?count=100").body).as_array();
        for (auto& v : a)
        {
            v.as_object().erase("timestamp");
            if (v.as_object().contains("response_headers"))
                v.as_object()["response_headers"].as_object().erase("Date");
        }
        return json::serialize(a);
    };
    auto a = run("42");
    CHECK(a == run("42"));
    CHECK(a != run("43"));
}

TEST_CASE("pause and resume stop and restart the generator")
{
    sim_process sim({"--usage-statistics-enabled", "true", "--rate", "200", "--paused"});
    std::this_thread::sleep_for(300ms); // nothing must happen during this window
    CHECK(sim.stats().at("produced") == 0);
    REQUIRE(sim.control("POST", "/_sim/resume").status == 200);
    REQUIRE(eventually([&] { return sim.stats().at("produced").as_int64() >= 10; }));
    REQUIRE(sim.control("POST", "/_sim/pause").status == 200);
    auto at_pause = sim.stats().at("produced").as_int64();
    std::this_thread::sleep_for(300ms);
    CHECK(sim.stats().at("produced").as_int64() <= at_pause + 1);
}

TEST_CASE("ledger accounts for every produced record under mixed consumers")
{
    sim_process sim({"--usage-statistics-enabled", "true", "--rate", "1000", "--total", "300"});
    resp_conn popper(sim.port());
    popper.command({"AUTH", sim_management_key});
    popper.read();
    std::size_t popped = 0;
    REQUIRE(eventually(
        [&]
        {
            popper.command({"RPOP", "usage", "50"});
            popped += popper.read()->elements.size();
            popped +=
                json::parse(sim.mgmt("GET", "/v0/management/usage-queue?count=7").body).as_array().size();
            return sim.stats().at("generator_done") == true && sim.stats().at("queue_depth") == 0;
        },
        20s
    ));
    CHECK(popped == 300);
    std::map<std::int64_t, std::vector<std::string>> fate;
    // Delivery lines land just after each reply is written: wait for all 900 lines.
    REQUIRE(eventually([&] { return sim.ledger_lines().size() == 900; }));
    for (const auto& l : sim.ledger_lines())
        fate[l.at("seq").as_int64()].push_back(std::string(l.at("event").as_string()));
    REQUIRE(fate.size() == 300);
    for (const auto& [seq, events] : fate)
        CHECK(events == std::vector<std::string>{"produced", "queued", "delivered"});
}

TEST_CASE("faults: a 500 pops nothing; a cut response loses what it popped; the ledger says so")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    REQUIRE(
        sim.control("POST", "/_sim/enqueue?split=lines", "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n").status == 200
    );
    REQUIRE(sim.control("POST", "/_sim/faults", R"({"fail_500":1})").status == 200);
    CHECK(sim.mgmt("GET", "/v0/management/usage-queue?count=1").status == 500);
    CHECK(sim.stats().at("queue_depth") == 3);
    REQUIRE(sim.control("POST", "/_sim/faults", R"({"drop_mid_response":1})").status == 200);
    CHECK_THROWS(sim.mgmt("GET", "/v0/management/usage-queue?count=2"));
    auto lines = sim.ledger_lines();
    CHECK(events_of(lines, 1).back().at("event") == "lost");
    CHECK(events_of(lines, 1).back().at("reason") == "response-dropped");
    CHECK(events_of(lines, 2).back().at("reason") == "response-dropped");
    CHECK(sim.mgmt("GET", "/v0/management/usage-queue?count=5").body == R"([{"a":3}])");
    // Delivery is logged once the write completed, which may be just after the client has it.
    CHECK(eventually(
        [&]
        {
            auto ev = events_of(sim.ledger_lines(), 3);
            return ev.back().at("event") == "delivered" && ev.back().at("via") == "pop-http";
        }
    ));
}
