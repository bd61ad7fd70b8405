// systemd's notify protocol against the real daemon: a datagram listener on NOTIFY_SOCKET.

#include "notify_listener.hpp"

#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>
#include <csignal>

using namespace std::chrono_literals;
using cpamd::test::notify_listener;
using cpamd::test::running_daemon;

TEST_CASE("the daemon says READY once it serves, feeds the watchdog and says STOPPING", "[ops][notify]")
{
    cpamd::test::temp_dir dir;
    notify_listener listener(dir / "notify.sock");
    running_daemon d({{"NOTIFY_SOCKET", listener.path().string()}, {"WATCHDOG_USEC", "400000"}});

    auto ready = listener.wait_for("READY=1", 10s);
    REQUIRE(ready);
    CHECK(ready->find("STATUS=listening on 127.0.0.1:" + std::to_string(d.port())) != std::string::npos);
    CHECK(d.client().get("/health").status == 200); // ready means serving

    // WATCHDOG=1 every 200 ms (half of WATCHDOG_USEC): about 10 in 2 s.
    int pings = 0;
    auto until = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < until)
        if (auto m = listener.receive(50ms); m && *m == "WATCHDOG=1")
            ++pings;
    CHECK(pings >= 8);
    CHECK(pings <= 12);

    d.process().signal(SIGTERM);
    CHECK(listener.wait_for("STOPPING=1", 5s));
    CHECK(d.process().wait(15s) == 0);
}

TEST_CASE("a watchdog meant for another process is left alone", "[ops][notify]")
{
    cpamd::test::temp_dir dir;
    notify_listener listener(dir / "notify.sock");
    running_daemon d(
        {{"NOTIFY_SOCKET", listener.path().string()}, {"WATCHDOG_USEC", "200000"}, {"WATCHDOG_PID", "1"}}
    );
    REQUIRE(listener.wait_for("READY=1", 10s));
    CHECK_FALSE(listener.wait_for("WATCHDOG=1", 1s));
}

TEST_CASE("without NOTIFY_SOCKET the daemon runs as before", "[ops][notify]")
{
    running_daemon d;
    CHECK(d.client().get("/health").status == 200);
    d.process().signal(SIGTERM);
    CHECK(d.process().wait(15s) == 0);
}
