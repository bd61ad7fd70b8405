// The "subscribe" transport (collector-subscribe.so) against cpa-sim.

#include "plugin_host.hpp"
#include "sim_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/sanitizer.hpp>

namespace
{

using namespace cpamd::test;
using namespace std::chrono_literals;
using capi::outcome_code;

const std::string support_refresh = R"({"support_refresh":true})";

capi::collector_settings settings_for(std::uint16_t port, const std::string& key = sim_management_key)
{
    return local_settings(port, key);
}

const capi::collector_descriptor* subscribe_plugin()
{
    static const auto* d = load_plugin("collector-subscribe.so");
    return d;
}

} // namespace

TEST_CASE("collector-subscribe exports a matching descriptor and never pops")
{
    const auto* d = subscribe_plugin();
    CHECK(std::string(d->name) == "subscribe");
    collector_harness h(d, settings_for(1));
    CHECK(h.collector().transport() == "subscribe");
    CHECK(h.pop(10).code == outcome_code::unsupported);
}

TEST_CASE("subscribe: support_refresh first, then records and refresh; a restart ends it as lost")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    collector_harness h(subscribe_plugin(), settings_for(sim.port()));
    auto f = h.start_subscribe();
    REQUIRE(eventually([&] { return h.sink().subscribed_calls() == 1 && h.sink().record_count() == 1; }));
    CHECK(h.sink().records().at(0) == support_refresh);
    CHECK(sim.resp_commands() == std::vector<std::string>{"AUTH " + sim_management_key, "SUBSCRIBE usage"});

    std::vector<std::string> recs;
    std::string body;
    for (int i = 0; i < 5; ++i)
    {
        recs.push_back("{\"n\":" + std::to_string(i) + "}");
        body += recs.back() + "\n";
    }
    REQUIRE(sim.control("POST", "/_sim/enqueue?split=lines", body).status == 200);
    REQUIRE(eventually([&] { return h.sink().record_count() == 6; }));
    REQUIRE(sim.control("POST", "/_sim/refresh").status == 200);
    REQUIRE(eventually([&] { return h.sink().record_count() == 7; }));
    auto got = h.sink().records();
    CHECK(std::vector<std::string>(got.begin() + 1, got.begin() + 6) == recs);
    CHECK(got.back() == R"({"refresh":true})");
    CHECK(h.sink().vias().at(0) == "subscribe");
    CHECK(f.wait_for(0s) == std::future_status::timeout); // still subscribed

    REQUIRE(sim.control("POST", "/_sim/restart").status == 200);
    auto o = collector_harness::wait(f, 10s);
    CHECK(o.code == outcome_code::lost);
    CHECK(o.delivered == 7);
    CHECK(sim.stats().at("queue_depth") == 0); // nothing went to the queue while we listened
}

TEST_CASE("close() ends a running subscription as cancelled")
{
    sim_process sim({"--usage-statistics-enabled", "true"});
    collector_harness h(subscribe_plugin(), settings_for(sim.port()));
    auto f = h.start_subscribe();
    REQUIRE(eventually([&] { return h.sink().record_count() == 1; }));
    h.collector().close();
    auto o = collector_harness::wait(f, 5s);
    CHECK(o.code == outcome_code::cancelled);
    CHECK(o.delivered == 1);
    REQUIRE(eventually([&] { return sim.stats().at("subscribers").at("usage") == 0; }));
}

TEST_CASE("subscribe: wrong key is auth_failed, RESP disabled is unsupported")
{
    SECTION("wrong key")
    {
        sim_process sim;
        collector_harness h(subscribe_plugin(), settings_for(sim.port(), "not-the-key"));
        auto f = h.start_subscribe();
        auto o = collector_harness::wait(f, 10s);
        CHECK(o.code == outcome_code::auth_failed);
        CHECK(o.message.find("not-the-key") == std::string::npos);
        CHECK(h.sink().subscribed_calls() == 0);
        CHECK(sim.resp_commands() == std::vector<std::string>{"AUTH not-the-key"});
    }
    SECTION("RESP disabled")
    {
        sim_process sim({"--resp-disabled"});
        collector_harness h(subscribe_plugin(), settings_for(sim.port()));
        auto f = h.start_subscribe();
        CHECK(collector_harness::wait(f, 10s).code == outcome_code::unsupported);
    }
}

TEST_CASE("a slow sink does not make CPA drop the subscriber: the plugin keeps reading")
{
    // 8000 records of ~1-4 KB at 2000/s while the sink stalls 4 s on its first call: far more than
    // CPA's 256-message subscriber buffer, so only a reader that keeps going avoids the overflow.
    // Under the sanitizer a quarter of both (still ~2000 records during the stall): at the full
    // rate a loaded machine running other suites beside it fell behind.
    const int total = traffic_rate(8000);
    sim_process sim(
        {"--usage-statistics-enabled",
         "true",
         "--rate",
         std::to_string(traffic_rate(2000)),
         "--total",
         std::to_string(total),
         "--paused",
         "--seed",
         "7"}
    );
    collector_harness h(subscribe_plugin(), settings_for(sim.port()));
    h.sink().set_delays({4000ms});
    auto f = h.start_subscribe();
    REQUIRE(eventually([&] { return h.sink().record_count() == 1; }));
    REQUIRE(sim.control("POST", "/_sim/resume").status == 200);
    REQUIRE(eventually([&] { return h.sink().record_count() == static_cast<std::size_t>(total) + 1; }, 30s));

    auto st = sim.stats();
    CHECK(st.at("overflow_disconnects") == 0);
    CHECK(st.at("subscribers").at("usage") == 1);
    CHECK(st.at("lost") == 0);
    auto batches = h.sink().batch_sizes();
    WARN(
        "deliver() batch sizes: first " << batches.at(0) << ", second " << batches.at(1) << ", calls "
                                        << batches.size()
    );
    // The call after the stall got what was read during it, not 256 plus one socket read.
    CHECK(batches.at(1) > 1000);

    // Exactly what the simulator produced, in order.
    std::vector<std::string> produced;
    for (const auto& l : sim.ledger_lines())
        if (l.at("event") == "produced")
            produced.emplace_back(l.at("record").as_string());
    auto got = h.sink().records();
    CHECK(std::vector<std::string>(got.begin() + 1, got.end()) == produced);
    h.collector().close();
    CHECK(collector_harness::wait(f, 10s).code == outcome_code::cancelled);
}

TEST_CASE("subscribe over TLS (tls_skip_verify)")
{
    temp_dir dir;
    sim_process sim(
        {"--tls",
         "--tls-cert-out",
         (dir / "cert.pem").string(),
         "--usage-statistics-enabled",
         "true",
         "--rate",
         "50"}
    );
    auto s = settings_for(sim.port());
    s.base_url = "https://127.0.0.1:" + std::to_string(sim.port());
    s.tls_skip_verify = true;
    collector_harness h(subscribe_plugin(), s);
    auto f = h.start_subscribe();
    REQUIRE(eventually([&] { return h.sink().record_count() >= 4; }));
    CHECK(h.sink().records().at(0) == support_refresh);
    CHECK(boost::json::parse(h.sink().records().at(1)).as_object().contains("token_breakdown"));
    h.collector().close();
    CHECK(collector_harness::wait(f, 5s).code == outcome_code::cancelled);
}

TEST_CASE("a Pub/Sub message above 16 MiB ends the subscription before it is buffered")
{
    // Documents a bound the RESP parser already had (reply_limits): a bulk's declared length is
    // refused before anything is allocated or read for it, so the message costs no memory.
    sim_process sim({"--usage-statistics-enabled", "true"});
    collector_harness h(subscribe_plugin(), settings_for(sim.port()));
    auto f = h.start_subscribe();
    REQUIRE(eventually([&] { return h.sink().record_count() == 1; }));
    REQUIRE(sim.control("POST", "/_sim/enqueue", std::string(20u << 20, 'x')).status == 200);
    auto o = collector_harness::wait(f, 10s);
    CHECK(o.code == outcome_code::lost);
    CHECK_THAT(o.message, Catch::Contains("bulk length above limit"));
    CHECK(h.sink().record_count() == 1); // only support_refresh
}

TEST_CASE("close() unsubscribes: every message CPA wrote before its reply is delivered, none is lost")
{
    sim_process sim({"--usage-statistics-enabled", "true", "--rate", std::to_string(traffic_rate(5000))});
    collector_harness h(subscribe_plugin(), settings_for(sim.port()));
    auto f = h.start_subscribe();
    REQUIRE(eventually([&] { return h.sink().record_count() > 1000; }, 30s));
    h.collector().close();
    auto o = collector_harness::wait(f, 5s);
    CHECK(o.code == outcome_code::cancelled);
    CHECK_THAT(sim.resp_commands().back(), Catch::StartsWith("UNSUBSCRIBE"));
    const auto received = h.sink().record_count() - 1; // without support_refresh
    auto count = [&](std::string_view event)
    {
        std::size_t n = 0;
        for (const auto& l : sim.ledger_lines())
            if (l.at("event").as_string() == event &&
                (event != "delivered" || l.at("via").as_string() == "subscriber"))
                ++n;
        return n;
    };
    // The ledger notes a delivery once its write completed: let it settle.
    CHECK(eventually([&] { return count("delivered") == received; }, 5s));
    INFO("received " << received << ", ledger delivered " << count("delivered"));
    CHECK(count("lost") == 0);
}
