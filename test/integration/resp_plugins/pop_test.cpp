// The "resp" transport (collector-resp.so) against cpa-sim: pops, errors, ban safety, TLS.

#include "plugin_host.hpp"
#include "sim_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/stream_client.hpp>
#include <cstdlib>
#include <thread>
#include <unistd.h>

namespace
{

using namespace cpamd::test;
using namespace std::chrono_literals;
using capi::outcome_code;

capi::collector_settings settings_for(std::uint16_t port, const std::string& key = sim_management_key)
{
    return local_settings(port, key);
}

std::vector<std::string> enqueue(sim_process& sim, int n)
{
    std::vector<std::string> recs;
    std::string body;
    for (int i = 0; i < n; ++i)
    {
        recs.push_back("{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(100, 'x') + "\"}");
        body += recs.back() + "\n";
    }
    REQUIRE(sim.control("POST", "/_sim/enqueue?split=lines", body).status == 200);
    return recs;
}

std::size_t ledger_count(sim_process& sim, const std::string& via)
{
    std::size_t n = 0;
    for (const auto& l : sim.ledger_lines())
        if (l.at("event") == "delivered" && l.at("via").as_string() == via)
            ++n;
    return n;
}

const capi::collector_descriptor* resp_plugin()
{
    static const auto* d = load_plugin("collector-resp.so");
    return d;
}

} // namespace

TEST_CASE("collector-resp exports only a matching descriptor and pops, never subscribes")
{
    const auto* d = resp_plugin();
    CHECK(std::string(d->name) == "resp");
    collector_harness h(d, settings_for(1));
    CHECK(h.collector().transport() == "resp");
    std::shared_future<capi::outcome> f = h.start_subscribe();
    CHECK(collector_harness::wait(f, 5s).code == outcome_code::unsupported);
}

TEST_CASE("pop delivers N records oldest first over one connection with one AUTH")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    auto recs = enqueue(sim, 25);
    collector_harness h(resp_plugin(), settings_for(sim.port()));

    auto o = h.pop(10);
    CHECK(o.code == outcome_code::ok);
    CHECK(o.delivered == 10);
    o = h.pop(100);
    CHECK(o.code == outcome_code::ok);
    CHECK(o.delivered == 15);
    o = h.pop(100);
    CHECK(o.code == outcome_code::empty); // CPA's "*0"
    CHECK(o.delivered == 0);

    CHECK(h.sink().records() == recs);
    CHECK(h.sink().batch_sizes() == std::vector<std::size_t>{10, 15});
    CHECK(h.sink().vias() == std::vector<std::string>{"resp", "resp"});
    CHECK(
        sim.resp_commands() ==
        std::vector<std::string>{
            "AUTH " + sim_management_key, "RPOP usage 10", "RPOP usage 100", "RPOP usage 100"}
    );
    CHECK(eventually([&] { return ledger_count(sim, "pop-resp") == 25; }));
}

TEST_CASE("pop_left sends LPOP and the queue setting names the key")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    auto recs = enqueue(sim, 3);
    auto s = settings_for(sim.port());
    s.pop_left = true;
    collector_harness h(resp_plugin(), s);
    CHECK(h.pop(5).delivered == 3);
    CHECK(h.sink().records() == recs);

    auto bad = settings_for(sim.port());
    bad.queue = "errors";
    collector_harness h2(resp_plugin(), bad);
    auto o = h2.pop(5);
    CHECK(o.code == outcome_code::unsupported);
    CHECK_THAT(o.message, Catch::Contains("unsupported channel 'errors'"));
    CHECK(
        sim.resp_commands() ==
        std::vector<std::string>{
            "AUTH " + sim_management_key, "LPOP usage 5", "AUTH " + sim_management_key, "RPOP errors 5"}
    );
}

TEST_CASE("a wrong key is auth_failed: AUTH is the only command ever sent, the key is not in the message")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    enqueue(sim, 5);
    const std::string wrong = "wrong-key-4711";
    collector_harness h(resp_plugin(), settings_for(sim.port(), wrong));
    for (int i = 0; i < 2; ++i)
    {
        auto o = h.pop(10);
        CHECK(o.code == outcome_code::auth_failed);
        CHECK_THAT(o.message, Catch::Contains("invalid management key"));
        CHECK(o.message.find(wrong) == std::string::npos);
    }
    // One failed login per pop, and never a command behind a refused AUTH (spec §7.5).
    CHECK(sim.resp_commands() == std::vector<std::string>{"AUTH " + wrong, "AUTH " + wrong});
    CHECK(sim.stats().at("queue_depth") == 5);
    CHECK(h.sink().record_count() == 0);
}

TEST_CASE("RESP disabled (CPA v7.1.17) is unsupported")
{
    sim_process sim({"--usage-statistics-enabled", "true", "--resp-disabled"});
    collector_harness h(resp_plugin(), settings_for(sim.port()));
    auto o = h.pop(10);
    CHECK(o.code == outcome_code::unsupported);
    CHECK_THAT(o.message, Catch::Contains("RESP AUTH disabled"));
}

TEST_CASE("a restart drops the kept connection: the next pop notices and reconnects with AUTH")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    enqueue(sim, 2);
    collector_harness h(resp_plugin(), settings_for(sim.port()));
    CHECK(h.pop(10).delivered == 2);
    REQUIRE(sim.control("POST", "/_sim/restart").status == 200);
    REQUIRE(eventually([&] { return sim.stats().at("restarts") == 1; }));
    std::this_thread::sleep_for(100ms); // let the server's FIN arrive
    auto recs = enqueue(sim, 1);
    auto o = h.pop(10);
    CHECK(o.code == outcome_code::ok);
    CHECK(h.sink().records().back() == recs[0]);
    CHECK(
        sim.resp_commands() ==
        std::vector<std::string>{
            "AUTH " + sim_management_key, "RPOP usage 10", "AUTH " + sim_management_key, "RPOP usage 10"}
    );
}

TEST_CASE("a sink that throws turns the pop into io_error")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    enqueue(sim, 2);
    collector_harness h(resp_plugin(), settings_for(sim.port()));
    h.sink().fail_deliveries(true);
    auto o = h.pop(10);
    CHECK(o.code == outcome_code::io_error);
    CHECK_THAT(o.message, Catch::Contains("disk full (test)"));
}

TEST_CASE("close() makes later pops cancelled")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    collector_harness h(resp_plugin(), settings_for(sim.port()));
    CHECK(h.pop(10).code == outcome_code::empty);
    h.collector().close();
    CHECK(h.pop(10).code == outcome_code::cancelled);
}

TEST_CASE("TLS: SNI, no ALPN, verification on by default")
{
    temp_dir dir;
    const auto cert = (dir / "cert.pem").string();
    sim_process sim(
        {"--tls",
         "--tls-cert-out",
         cert,
         "--usage-statistics-enabled",
         "true",
         "--rate",
         "1000",
         "--total",
         "30"}
    );
    ::unsetenv("SSL_CERT_FILE");
    auto s = settings_for(sim.port());
    s.base_url = "https://127.0.0.1:" + std::to_string(sim.port());

    SECTION("a self-signed certificate fails verification: io_error, nothing popped")
    {
        collector_harness h(resp_plugin(), s);
        auto o = h.pop(100);
        CHECK(o.code == outcome_code::io_error);
        CHECK_THAT(o.message, Catch::Contains("TLS handshake"));
        CHECK_THAT(o.message, Catch::Contains("certificate verify failed"));
    }
    SECTION("tls_skip_verify pops over TLS (no ALPN, else CPA would route us to HTTP)")
    {
        s.tls_skip_verify = true;
        collector_harness h(resp_plugin(), s);
        CHECK(eventually(
            [&] { return h.pop(100).code != outcome_code::io_error && h.sink().record_count() == 30; }
        ));
    }
    SECTION("SSL_CERT_FILE pointing at the certificate verifies it, by IP and by name (SNI)")
    {
        ::setenv("SSL_CERT_FILE", cert.c_str(), 1);
        s.base_url = "https://localhost:" + std::to_string(sim.port());
        collector_harness h(resp_plugin(), s);
        CHECK(eventually(
            [&] { return h.pop(100).code != outcome_code::io_error && h.sink().record_count() == 30; }
        ));
        s.base_url = "https://127.0.0.1:" + std::to_string(sim.port());
        collector_harness h2(resp_plugin(), s);
        CHECK(h2.pop(100).code == outcome_code::empty);
        ::unsetenv("SSL_CERT_FILE");
    }
}

TEST_CASE("a CPA answering more items than asked: the count is delivered, the excess is one reject")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    REQUIRE(sim.control("POST", "/_sim/faults", R"({"over_answer":150})").status == 200);
    collector_harness h(resp_plugin(), settings_for(sim.port()));
    auto o = h.pop(100);
    CHECK(o.code == outcome_code::io_error); // the host backs off from a misbehaving CPA
    CHECK(o.delivered == 100);
    CHECK_THAT(o.message, Catch::Contains("150 items to a count of 100"));
    CHECK(h.sink().vias() == std::vector<std::string>{"resp", "resp:rejected"});
    CHECK(h.sink().batch_sizes() == std::vector<std::size_t>{100, 4});
    auto records = h.sink().records();
    REQUIRE(records.size() == 104);
    CHECK_THAT(records[100], Catch::Contains("the 50 beyond the count"));
    CHECK_THAT(records[101], Catch::StartsWith(R"({"over_answer":100,)"));
    CHECK(records[103].size() == 64); // SHA-256 hex of the excess
}

TEST_CASE("a pop reply above the cap is refused as it arrives: io_error, nothing delivered, memory bounded")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    REQUIRE(sim.control("POST", "/_sim/faults", R"({"over_answer":1000000})").status == 200);
    collector_harness h(resp_plugin(), settings_for(sim.port()));
    const auto before = read_process_memory(::getpid()).rss;
    auto o = h.pop(100);
    const auto after = read_process_memory(::getpid()).peak;
    CHECK(o.code == outcome_code::io_error);
    CHECK_THAT(o.message, Catch::Contains("protocol error"));
    CHECK(h.sink().record_count() == 0);
    INFO("RSS before " << before / (1 << 20) << " MiB, peak after " << after / (1 << 20) << " MiB");
    CHECK(after < before + (96ull << 20));
}
