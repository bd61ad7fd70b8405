// The RESP plugins against scripted peers: an HTTP answer, a pop whose reply never comes, a subscriber
// whose peer goes silent, CPA's nil pong, old CPA without SUBSCRIBE, and batching of buffered messages.

#include "fake_peer.hpp"
#include "plugin_host.hpp"
#include "sim_fixture.hpp"

#include <catch2/catch.hpp>
#include <cpamd/collectors/subscribe_collector.hpp>
#include <cpamd/resp/encode.hpp>

namespace
{

using namespace cpamd::test;
using namespace std::chrono_literals;
using capi::outcome_code;

const std::string key = "peer-key";
const std::string ok = "+OK\r\n";
const std::string confirm = "*3\r\n$9\r\nsubscribe\r\n$5\r\nusage\r\n:1\r\n";
const std::string cpa_pong = "*2\r\n$4\r\npong\r\n$-1\r\n"; // nil payload, unlike Redis

capi::collector_settings settings_for(std::uint16_t port, std::chrono::milliseconds timeout = 5s)
{
    return local_settings(port, key, timeout);
}

// The subscribe transport with short keepalive timers (the plugin's default idle is 30 s).
collector_harness
short_keepalive(std::uint16_t port, std::chrono::milliseconds idle, std::chrono::milliseconds pong)
{
    cpamd::collectors::subscribe_options opts;
    opts.idle = idle;
    opts.pong_timeout = pong;
    return collector_harness(
        [opts](const capi::collector_context& ctx)
        { return new cpamd::collectors::subscribe_collector(ctx, opts); },
        [](capi::ICollector* c) { delete c; },
        settings_for(port)
    );
}

// AUTH, then SUBSCRIBE confirmed together with a first message in the same write.
bool accept_subscription(peer_conn& c)
{
    if (!c.read())
        return false;
    c.write(ok);
    if (!c.read())
        return false;
    c.write(confirm + cpamd::resp::encode_message("usage", R"({"support_refresh":true})"));
    return true;
}

} // namespace

TEST_CASE("an HTTP answer (reverse proxy, not CPA's port) is unsupported, and AUTH went first")
{
    fake_peer peer(
        [](peer_conn& c)
        {
            c.read();
            c.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    );
    collector_harness h(load_plugin("collector-resp.so"), settings_for(peer.port()));
    auto o = h.pop(10);
    CHECK(o.code == outcome_code::unsupported);
    CHECK_THAT(o.message, Catch::Contains("HTTP"));
    CHECK(peer.commands() == std::vector<std::string>{"AUTH " + key});
}

TEST_CASE("a pop whose reply never comes times out as io_error and is not retried")
{
    fake_peer peer(
        [](peer_conn& c)
        {
            if (!c.read())
                return;
            c.write(ok);
            c.read();
            c.hold(); // never answer the pop
        }
    );
    collector_harness h(load_plugin("collector-resp.so"), settings_for(peer.port(), 300ms));
    auto started = std::chrono::steady_clock::now();
    auto o = h.pop(10);
    CHECK(o.code == outcome_code::io_error);
    CHECK_THAT(o.message, Catch::Contains("not retried"));
    CHECK(std::chrono::steady_clock::now() - started < 3s);
    std::this_thread::sleep_for(200ms);
    CHECK(peer.commands() == std::vector<std::string>{"AUTH " + key, "RPOP usage 10"});
    CHECK(peer.connections() == 1);
}

TEST_CASE("old CPA without SUBSCRIBE is unsupported")
{
    fake_peer peer(
        [](peer_conn& c)
        {
            if (!c.read())
                return;
            c.write(ok);
            c.read();
            c.write("-ERR unknown command 'subscribe'\r\n");
            c.hold();
        }
    );
    collector_harness h(load_plugin("collector-subscribe.so"), settings_for(peer.port()));
    auto f = h.start_subscribe();
    CHECK(collector_harness::wait(f, 5s).code == outcome_code::unsupported);
    CHECK(h.sink().subscribed_calls() == 0);
}

TEST_CASE("a peer that stops answering is detected by PING: lost")
{
    fake_peer peer(
        [](peer_conn& c)
        {
            if (!accept_subscription(c))
                return;
            c.read(); // the PING, never answered
            c.hold();
        }
    );
    auto h = short_keepalive(peer.port(), 200ms, 300ms);
    auto f = h.start_subscribe();
    auto o = collector_harness::wait(f, 5s);
    CHECK(o.code == outcome_code::lost);
    CHECK_THAT(o.message, Catch::Contains("dead peer"));
    CHECK(o.delivered == 1); // the message that came with the confirmation
    CHECK(h.sink().records() == std::vector<std::string>{R"({"support_refresh":true})"});
    CHECK(peer.commands() == std::vector<std::string>{"AUTH " + key, "SUBSCRIBE usage", "PING"});
}

TEST_CASE("CPA's nil pong keeps the subscription; a lone message is delivered at once")
{
    std::atomic<int> pings{0};
    fake_peer peer(
        [&pings](peer_conn& c)
        {
            if (!accept_subscription(c))
                return;
            while (auto cmd = c.read(10s))
            {
                if (cmd->at(0) != "PING")
                    return;
                c.write(cpa_pong);
                if (++pings == 3)
                    c.write(cpamd::resp::encode_message("usage", R"({"x":1})"));
            }
        }
    );
    auto h = short_keepalive(peer.port(), 150ms, 300ms);
    auto f = h.start_subscribe();
    REQUIRE(eventually([&] { return h.sink().record_count() == 2; }, 5s));
    CHECK(h.sink().records().at(1) == R"({"x":1})");
    std::this_thread::sleep_for(400ms);
    CHECK(f.wait_for(0s) == std::future_status::timeout);
    h.collector().close();
    auto o = collector_harness::wait(f, 5s);
    CHECK(o.code == outcome_code::cancelled);
    CHECK(o.delivered == 2);
    CHECK(pings >= 3);
}

TEST_CASE("messages that arrive together are delivered in one call")
{
    fake_peer peer(
        [](peer_conn& c)
        {
            if (!c.read())
                return;
            c.write(ok);
            c.read();
            std::string burst = confirm;
            for (int i = 0; i < 50; ++i)
                burst += cpamd::resp::encode_message("usage", "{\"i\":" + std::to_string(i) + "}");
            c.write(burst);
            c.hold();
        }
    );
    collector_harness h(load_plugin("collector-subscribe.so"), settings_for(peer.port()));
    auto f = h.start_subscribe();
    REQUIRE(eventually([&] { return h.sink().record_count() == 50; }, 5s));
    CHECK(h.sink().batch_sizes() == std::vector<std::size_t>{50});
    CHECK(h.sink().records().at(49) == R"({"i":49})");
    h.collector().close();
    CHECK(collector_harness::wait(f, 5s).code == outcome_code::cancelled);
}
