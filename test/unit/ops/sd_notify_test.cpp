#include "notify_listener.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cpamd/ops/sd_notify.hpp>
#include <cpamd/ops/watchdog.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cstdlib>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using cpamd::ops::sd_notifier;
using cpamd::test::notify_listener;

TEST_CASE("notify sends one datagram to the socket path", "[sd_notify]")
{
    cpamd::test::temp_dir dir;
    notify_listener listener(dir / "notify.sock");
    sd_notifier n(listener.path().string(), std::nullopt);
    REQUIRE(n.enabled());
    CHECK(n.notify("READY=1\nSTATUS=up"));
    CHECK(listener.receive(1s) == "READY=1\nSTATUS=up");
}

TEST_CASE("without NOTIFY_SOCKET every call is a harmless no-op", "[sd_notify]")
{
    sd_notifier n("", std::nullopt);
    CHECK_FALSE(n.enabled());
    CHECK_FALSE(n.notify("READY=1"));
    CHECK_FALSE(sd_notifier("relative/path", std::nullopt).notify("READY=1"));
}

TEST_CASE("a vanished supervisor socket makes notify return false, not throw", "[sd_notify]")
{
    cpamd::test::temp_dir dir;
    sd_notifier n((dir / "gone.sock").string(), std::nullopt);
    CHECK_FALSE(n.notify("WATCHDOG=1"));
}

TEST_CASE("the environment decides the socket and whether the watchdog is ours", "[sd_notify]")
{
    cpamd::test::temp_dir dir;
    notify_listener listener(dir / "env.sock");
    ::setenv("NOTIFY_SOCKET", listener.path().c_str(), 1);
    ::setenv("WATCHDOG_USEC", "4000000", 1);
    ::unsetenv("WATCHDOG_PID");
    auto n = sd_notifier::from_environment();
    CHECK(n.watchdog_period() == std::chrono::microseconds(4000000));
    CHECK(n.notify("STOPPING=1"));
    CHECK(listener.receive(1s) == "STOPPING=1");

    // WATCHDOG_PID names another process: the watchdog is not ours to feed.
    ::setenv("WATCHDOG_PID", "1", 1);
    CHECK_FALSE(sd_notifier::from_environment().watchdog_period());
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    CHECK(sd_notifier::from_environment().watchdog_period());
    for (const char* v : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"})
        ::unsetenv(v);
}

TEST_CASE("the watchdog pings at half the period from the io_context", "[sd_notify][watchdog]")
{
    cpamd::test::temp_dir dir;
    notify_listener listener(dir / "wd.sock");
    sd_notifier n(listener.path().string(), 200ms);
    boost::asio::io_context ioc;
    boost::asio::co_spawn(ioc, cpamd::ops::feed_watchdog(n, 200ms), boost::asio::detached);
    auto started = std::chrono::steady_clock::now();
    ioc.run_for(1050ms);
    std::vector<std::chrono::steady_clock::duration> at;
    while (auto m = listener.receive(0ms))
    {
        CHECK(*m == "WATCHDOG=1");
        at.push_back(std::chrono::steady_clock::now() - started);
    }
    // Once at start, then every 100 ms: 11 in 1.05 s (allow a slow machine some slack).
    CHECK(at.size() >= 9);
    CHECK(at.size() <= 12);
}

TEST_CASE("a wedged event loop stops the pings", "[sd_notify][watchdog]")
{
    cpamd::test::temp_dir dir;
    notify_listener listener(dir / "wedge.sock");
    sd_notifier n(listener.path().string(), 100ms);
    boost::asio::io_context ioc;
    boost::asio::co_spawn(ioc, cpamd::ops::feed_watchdog(n, 100ms), boost::asio::detached);
    ioc.run_one(); // the first ping
    REQUIRE(listener.receive(1s) == "WATCHDOG=1");
    std::this_thread::sleep_for(400ms); // the loop is "stuck": nobody runs the timer
    CHECK_FALSE(listener.receive(0ms));
}
