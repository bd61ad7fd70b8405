// The same plugins against a real redis-server (Debian's, 7.0): the wire differences from CPA are
// `*-1` for an empty pop with a count, RPOP popping the newest item, WRONGPASS, no support_refresh
// message, and a pong with an empty (not nil) payload.

#include "plugin_host.hpp"
#include "sim_fixture.hpp"

#include <catch2/catch.hpp>
#include <cpamd/collectors/subscribe_collector.hpp>
#include <cpamd/test/ports.hpp>

namespace
{

using namespace cpamd::test;
using namespace std::chrono_literals;
using capi::outcome_code;

const std::string redis_pass = "redis-test-pass";

class redis_process
{
public:
    redis_process() : port_(free_port())
    {
        process_options o;
        o.args = {
            "--port",
            std::to_string(port_),
            "--bind",
            "127.0.0.1",
            "--requirepass",
            redis_pass,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir_.path().string()};
        proc_ = std::make_unique<child_process>("/usr/bin/redis-server", o);
        if (!eventually([&] { return cli("PING") == "PONG\n"; }, 10s))
            throw std::runtime_error("redis-server did not start: " + proc_->output());
    }

    std::uint16_t port() const { return port_; }
    std::string cli(const std::string& args) const
    {
        return run_capture(
            "redis-cli -p " + std::to_string(port_) + " --no-auth-warning -a " + redis_pass + " " + args
        );
    }

private:
    temp_dir dir_;
    std::uint16_t port_;
    std::unique_ptr<child_process> proc_;
};

capi::collector_settings settings_for(std::uint16_t port, const std::string& key = redis_pass)
{
    return local_settings(port, key);
}

} // namespace

TEST_CASE("redis: LPOP/RPOP with a count after RPUSH, *-1 when empty, WRONGPASS is auth_failed")
{
    redis_process redis;
    const auto* d = load_plugin("collector-resp.so");
    REQUIRE(redis.cli("RPUSH usage a b c d") == "4\n");

    auto s = settings_for(redis.port());
    s.pop_left = true;
    {
        collector_harness h(d, s);
        CHECK(h.pop(3).delivered == 3);
        CHECK(h.pop(10).delivered == 1);
        CHECK(h.pop(10).code == outcome_code::empty); // Redis answers *-1 here, CPA *0
        CHECK(h.sink().records() == std::vector<std::string>{"a", "b", "c", "d"});
    }
    REQUIRE(redis.cli("RPUSH usage x y") == "2\n");
    {
        collector_harness h(d, settings_for(redis.port()));
        CHECK(h.pop(10).delivered == 2);
        CHECK(h.sink().records() == std::vector<std::string>{"y", "x"}); // Redis RPOP takes the tail
    }
    {
        collector_harness h(d, settings_for(redis.port(), "wrong"));
        auto o = h.pop(10);
        CHECK(o.code == outcome_code::auth_failed);
        CHECK_THAT(o.message, Catch::Contains("WRONGPASS"));
    }
}

TEST_CASE("redis: SUBSCRIBE + PUBLISH")
{
    redis_process redis;
    collector_harness h(load_plugin("collector-subscribe.so"), settings_for(redis.port()));
    auto f = h.start_subscribe();
    REQUIRE(eventually([&] { return h.sink().subscribed_calls() == 1; }));
    REQUIRE(eventually([&] { return redis.cli("PUBSUB NUMSUB usage") == "usage\n1\n"; }));
    CHECK(redis.cli("PUBLISH usage m1") == "1\n");
    CHECK(redis.cli("PUBLISH other ignored") == "0\n");
    CHECK(redis.cli("PUBLISH usage m2") == "1\n");
    REQUIRE(eventually([&] { return h.sink().record_count() == 2; }));
    CHECK(h.sink().records() == std::vector<std::string>{"m1", "m2"});
    h.collector().close();
    auto o = collector_harness::wait(f, 5s);
    CHECK(o.code == outcome_code::cancelled);
    CHECK(o.delivered == 2);
}

TEST_CASE("redis: keepalive PINGs are answered with an empty pong and keep the subscription")
{
    redis_process redis;
    cpamd::collectors::subscribe_options opts;
    opts.idle = 200ms;
    opts.pong_timeout = 1s;
    collector_harness h(
        [opts](const capi::collector_context& ctx)
        { return new cpamd::collectors::subscribe_collector(ctx, opts); },
        [](capi::ICollector* c) { delete c; },
        settings_for(redis.port())
    );
    auto f = h.start_subscribe();
    REQUIRE(eventually([&] { return h.sink().subscribed_calls() == 1; }));
    std::this_thread::sleep_for(1500ms);
    CHECK(f.wait_for(0s) == std::future_status::timeout);
    auto stats = redis.cli("INFO commandstats");
    CHECK_THAT(stats, Catch::Contains("cmdstat_ping:calls="));
    CHECK(redis.cli("PUBLISH usage after-pings") == "1\n");
    REQUIRE(eventually([&] { return h.sink().record_count() == 1; }));
    h.collector().close();
    CHECK(collector_harness::wait(f, 5s).code == outcome_code::cancelled);
}
