// The connection watchdog on a real loopback socket pair and a real io_context: what it cuts,
// when, and what it leaves alone.

#include "socket_pair.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cpamd/http/watchdog.hpp>
#include <optional>

namespace
{

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

using cpamd::test::socket_pair;

// Starts a read on `s` that records how it ended and when.
struct pending_read
{
    explicit pending_read(tcp::socket& s)
    {
        s.async_read_some(
            asio::buffer(byte),
            [this](const boost::system::error_code& e, std::size_t)
            {
                ec = e;
                ended = clock_type::now();
            }
        );
    }
    char byte[1];
    std::optional<boost::system::error_code> ec;
    clock_type::time_point ended;
};

} // namespace

TEST_CASE("a deadline that passes cancels the pending read, and expired() says so", "[watchdog]")
{
    socket_pair p;
    cpamd::http::watchdog w(p.ours);
    const auto start = clock_type::now();
    w.expires_after(150ms);
    pending_read r(p.ours);
    p.ioc.run_for(2s);
    REQUIRE(r.ec);
    CHECK(*r.ec == asio::error::operation_aborted);
    CHECK(r.ended - start >= 150ms);
    CHECK(r.ended - start < 1s);
    CHECK(w.expired());
}

TEST_CASE("a deadline moved later is kept, and an earlier one is not waited out", "[watchdog]")
{
    socket_pair p;
    cpamd::http::watchdog w(p.ours);
    const auto start = clock_type::now();
    w.expires_after(100ms);
    w.expires_after(400ms); // later: the armed wait ends first and is renewed
    pending_read r(p.ours);
    p.ioc.run_for(2s);
    REQUIRE(r.ec);
    CHECK(r.ended - start >= 400ms);

    socket_pair q;
    cpamd::http::watchdog v(q.ours);
    const auto again = clock_type::now();
    v.expires_after(30s);
    v.expires_after(100ms); // earlier: re-armed at once
    pending_read s(q.ours);
    q.ioc.run_for(2s);
    REQUIRE(s.ec);
    CHECK(s.ended - again < 1s);
}

TEST_CASE("a read that completes in time is not cut, and expires_never leaves a wait alone", "[watchdog]")
{
    socket_pair p;
    cpamd::http::watchdog w(p.ours);
    w.expires_after(300ms);
    pending_read r(p.ours);
    asio::write(p.peer, asio::buffer("x", 1));
    p.ioc.run_for(100ms);
    REQUIRE(r.ec);
    CHECK_FALSE(*r.ec);

    // A stale deadline must not cut a wait that came after it.
    w.expires_never();
    pending_read quiet(p.ours);
    p.ioc.run_for(600ms); // past the 300 ms the stale deadline named
    CHECK_FALSE(quiet.ec);
    CHECK_FALSE(w.expired());
}

TEST_CASE("a deadline for a wait elsewhere runs its action instead of cutting the socket", "[watchdog]")
{
    socket_pair p;
    cpamd::http::watchdog w(p.ours);
    int actions = 0;
    w.on_other_expire([&] { ++actions; });
    pending_read r(p.ours); // the hang-up watch, say: not what the deadline times
    w.other_expires_after(100ms);
    p.ioc.run_for(400ms);
    CHECK(actions == 1);
    CHECK(w.expired());
    CHECK_FALSE(r.ec);

    // The client's own deadline cancels the socket again, not the action.
    w.expires_after(100ms);
    p.ioc.run_for(400ms);
    CHECK(actions == 1);
    REQUIRE(r.ec);
    CHECK(*r.ec == asio::error::operation_aborted);
}

TEST_CASE("a checkpoint runs once when due, and not at all when stopped first", "[watchdog]")
{
    socket_pair p;
    cpamd::http::watchdog w(p.ours);
    w.expires_after(60s); // an idle deadline far ahead: the checkpoint pulls the wait in
    const auto start = clock_type::now();
    std::optional<clock_type::time_point> ran;
    int runs = 0;
    w.checkpoint_after(100ms, [&] { ++runs, ran = clock_type::now(); });
    p.ioc.run_for(1s);
    CHECK(runs == 1);
    REQUIRE(ran);
    CHECK(*ran - start >= 100ms);
    CHECK(*ran - start < 900ms);

    w.checkpoint_after(100ms, [&] { ++runs; });
    w.stop_checkpoint();
    p.ioc.run_for(300ms);
    CHECK(runs == 1);
    CHECK_FALSE(w.expired());
}

TEST_CASE("a watchdog destroyed with its wait armed runs nothing afterwards", "[watchdog]")
{
    socket_pair p;
    int runs = 0;
    {
        cpamd::http::watchdog w(p.ours);
        w.expires_after(50ms);
        w.checkpoint_after(50ms, [&] { ++runs; });
    }
    pending_read r(p.ours);
    p.ioc.run_for(300ms);
    CHECK(runs == 0);
    CHECK_FALSE(r.ec);
}
