// write_all on a real loopback pair: bytes offered to the socket at once when it takes them, the
// rest through async_write, in order, and errors as async_write reports them.

#include "socket_pair.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <catch2/catch.hpp>
#include <cpamd/http/write_now.hpp>
#include <optional>
#include <string>

namespace
{

namespace asio = boost::asio;
using asio::ip::tcp;
using result = std::tuple<boost::system::error_code, std::size_t>;

using cpamd::test::socket_pair;

// Runs write_all(ours, pieces) as a coroutine; the result lands in `out`.
void spawn_write(socket_pair& p, std::array<asio::const_buffer, 3> pieces, std::optional<result>& out)
{
    auto write = [&p, pieces, &out]() -> asio::awaitable<void>
    { out = co_await cpamd::http::write_all(p.ours, pieces); };
    asio::co_spawn(p.ioc, write, asio::detached);
}

std::string pattern(std::size_t n, char first)
{
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>(first + i % 23);
    return s;
}

// How many handlers the io_context runs until one small write is done.
std::size_t handlers_for_small_write(bool non_blocking)
{
    socket_pair p;
    p.ours.non_blocking(non_blocking);
    const std::string head = "HTTP/1.1 200 OK\r\n\r\n", body = "{}";
    std::optional<result> out;
    spawn_write(p, {asio::buffer(head), asio::buffer(body), asio::const_buffer()}, out);
    std::size_t handlers = 0;
    while (!out && p.ioc.run_one() != 0)
        ++handlers;
    REQUIRE(out);
    CHECK_FALSE(std::get<0>(*out));
    CHECK(std::get<1>(*out) == head.size() + body.size());
    std::string got(head.size() + body.size(), '\0');
    asio::read(p.peer, asio::buffer(got));
    CHECK(got == head + body);
    return handlers;
}

} // namespace

TEST_CASE("a write the socket takes whole needs no trip through the scheduler", "[write_now]")
{
    // A blocking-mode socket falls back to async_write: same bytes, more handlers.
    CHECK(handlers_for_small_write(true) < handlers_for_small_write(false));
}

TEST_CASE("what the socket does not take at once follows in order", "[write_now]")
{
    socket_pair p;
    p.ours.non_blocking(true);
    // Far more than loopback's socket buffers: the first offer is cut short.
    const auto a = pattern(3 << 20, 'a'), b = pattern(5 << 20, 'A'), c = pattern(1000, '0');
    const auto total = a.size() + b.size() + c.size();
    std::optional<result> out;
    spawn_write(p, {asio::buffer(a), asio::buffer(b), asio::buffer(c)}, out);
    std::string got(total, '\0');
    std::optional<boost::system::error_code> read_ec;
    asio::async_read(
        p.peer, asio::buffer(got), [&](boost::system::error_code ec, std::size_t) { read_ec = ec; }
    );
    p.ioc.run();
    REQUIRE(out);
    CHECK_FALSE(std::get<0>(*out));
    CHECK(std::get<1>(*out) == total);
    REQUIRE(read_ec);
    CHECK_FALSE(*read_ec);
    CHECK(got == a + b + c);
}

TEST_CASE("a peer that has gone is an error, not a wait", "[write_now]")
{
    socket_pair p;
    p.ours.non_blocking(true);
    p.peer.close();
    const auto big = pattern(8 << 20, 'x');
    std::optional<result> out;
    spawn_write(p, {asio::buffer(big), asio::const_buffer(), asio::const_buffer()}, out);
    p.ioc.run();
    REQUIRE(out);
    CHECK(std::get<0>(*out));
    CHECK(std::get<1>(*out) < big.size());
}
