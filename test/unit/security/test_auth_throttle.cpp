#include <atomic>
#include <catch2/catch.hpp>
#include <cpamd/security/auth_throttle.hpp>
#include <thread>
#include <vector>

using namespace cpamd::security;
using namespace std::chrono_literals;

namespace
{

// A fake clock: an arbitrary fixed origin plus offsets.
const auth_throttle::time_point t0 = auth_throttle::time_point{} + 1000h;

} // namespace

TEST_CASE("defaults: 10 failures in 5 minutes block for 5 minutes", "[security][throttle]")
{
    auth_throttle t;
    CHECK(t.settings().max_failures == 10);
    CHECK(t.settings().window == 300s);
    CHECK(t.settings().block == 300s);

    for (int i = 0; i < 9; ++i)
    {
        CHECK_FALSE(t.check("10.0.0.1", t0 + i * 1s));
        CHECK_FALSE(t.record_failure("10.0.0.1", t0 + i * 1s));
    }
    CHECK_FALSE(t.check("10.0.0.1", t0 + 9s));
    CHECK(t.record_failure("10.0.0.1", t0 + 9s) == 300s);

    CHECK(t.check("10.0.0.1", t0 + 9s) == 300s);
    CHECK(t.check("10.0.0.1", t0 + 9s + 100500ms) == 200s); // rounded up
    CHECK(t.check("10.0.0.1", t0 + 9s + 299500ms) == 1s);
    CHECK_FALSE(t.check("10.0.0.1", t0 + 9s + 300s));

    // Other addresses are not affected.
    CHECK_FALSE(t.check("10.0.0.2", t0 + 10s));
    CHECK_FALSE(t.record_failure("10.0.0.2", t0 + 10s));
}

TEST_CASE("after a block the count starts from zero", "[security][throttle]")
{
    auth_throttle t({.max_failures = 3, .window = 60s, .block = 30s});
    for (int i = 0; i < 3; ++i)
        t.record_failure("a", t0);
    REQUIRE(t.check("a", t0));
    const auto after = t0 + 31s;
    CHECK_FALSE(t.check("a", after));
    CHECK_FALSE(t.record_failure("a", after));
    CHECK_FALSE(t.record_failure("a", after));
    CHECK(t.record_failure("a", after) == 30s);
}

TEST_CASE("failures outside the window do not add up", "[security][throttle]")
{
    auth_throttle t({.max_failures = 3, .window = 60s, .block = 30s});
    t.record_failure("a", t0);
    t.record_failure("a", t0 + 10s);
    // The window opened at t0; at t0+60s a new one starts with this failure.
    CHECK_FALSE(t.record_failure("a", t0 + 60s));
    CHECK_FALSE(t.record_failure("a", t0 + 61s));
    CHECK(t.record_failure("a", t0 + 62s) == 30s);
}

TEST_CASE("a success resets the counter", "[security][throttle]")
{
    auth_throttle t({.max_failures = 3, .window = 60s, .block = 30s});
    t.record_failure("a", t0);
    t.record_failure("a", t0);
    t.record_success("a");
    CHECK(t.tracked() == 0);
    CHECK_FALSE(t.record_failure("a", t0));
    CHECK_FALSE(t.record_failure("a", t0));
    CHECK(t.record_failure("a", t0));
    t.record_success("never-seen"); // harmless
}

TEST_CASE("memory is bounded; a hammering blocked address stays blocked", "[security][throttle]")
{
    auth_throttle t({.max_failures = 2, .window = 60s, .block = 600s, .max_tracked = 100});
    t.record_failure("attacker", t0);
    REQUIRE(t.record_failure("attacker", t0));
    for (int i = 0; i < 10'000; ++i)
    {
        const auto now = t0 + std::chrono::milliseconds(i);
        t.record_failure("spray-" + std::to_string(i), now);
        if (i % 50 == 0)
            REQUIRE(t.check("attacker", now)); // still blocked, and refreshed
        REQUIRE(t.tracked() <= 100);
    }
    CHECK(t.tracked() == 100);
}

TEST_CASE("idle entries expire", "[security][throttle]")
{
    auth_throttle t({.max_failures = 5, .window = 60s, .block = 30s});
    t.record_failure("a", t0);
    CHECK(t.tracked() == 1);
    CHECK_FALSE(t.check("a", t0 + 61s)); // looked up after the window: dropped
    CHECK(t.tracked() == 0);
}

TEST_CASE("thread-safe under concurrent failures", "[security][throttle]")
{
    auth_throttle t({.max_failures = 1000, .window = 3600s, .block = 60s, .max_tracked = 64});
    std::atomic<int> blocks{0};
    std::vector<std::thread> threads;
    for (int n = 0; n < 4; ++n)
        threads.emplace_back(
            [&, n]
            {
                for (int i = 0; i < 2500; ++i)
                {
                    if (t.record_failure("shared", t0))
                        ++blocks;
                    t.record_failure("own-" + std::to_string(n) + "-" + std::to_string(i % 100), t0);
                    (void)t.check("shared", t0);
                }
            }
        );
    for (auto& th : threads)
        th.join();
    // 10000 failures of "shared" at one instant: blocked at the 1000th, later ones ignored.
    CHECK(blocks == 1);
    CHECK(t.check("shared", t0) == 60s);
    CHECK(t.tracked() <= 64);
}

TEST_CASE("idle() says whether any address is remembered", "[security][throttle]")
{
    auth_throttle t({.max_failures = 2, .window = 60s, .block = 10s, .max_tracked = 10});
    CHECK(t.idle());
    CHECK_FALSE(t.record_failure("10.0.0.1", t0));
    CHECK_FALSE(t.idle());
    // Idle or not, an address that is not blocked passes and one that is does not.
    CHECK_FALSE(t.check("10.0.0.2", t0));
    t.record_success("10.0.0.1");
    CHECK(t.idle());
    CHECK_FALSE(t.check("10.0.0.1", t0));

    CHECK(t.record_failure("10.0.0.1", t0) == std::nullopt);
    CHECK(t.record_failure("10.0.0.1", t0 + 1s) == 10s);
    CHECK_FALSE(t.idle());
    CHECK(t.check("10.0.0.1", t0 + 2s) == 9s);
    // Once the block and its window are over, the check that finds it stale forgets it.
    CHECK_FALSE(t.check("10.0.0.1", t0 + 200s));
    CHECK(t.idle());
}
