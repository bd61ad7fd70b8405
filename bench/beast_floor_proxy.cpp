// The floor of a Beast reverse proxy, for bench/proxy_bench.sh: the least a proxy written with
// Beast and Asio coroutines does per request. One thread; per client connection one upstream
// connection, kept alive; request read whole with Beast's parser, Authorization replaced,
// forwarded, response read whole and sent back. Headers go out flat in one gather write, as
// cpamd writes them (http::append_header), since Beast's serializer alone costs a sixth of the
// user time. No timeouts, no admin-key check, no routing, no limits, no metrics, no streaming:
// it is a measuring stick, never a server to expose.
//
//   beast-floor-proxy LISTEN_PORT UPSTREAM_PORT BEARER_VALUE [THREADS]   (both on 127.0.0.1)
#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cpamd/http/flat_header.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace
{

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

template <bool IsRequest>
asio::awaitable<boost::system::error_code>
write_flat(tcp::socket& socket, http::message<IsRequest, http::string_body>& message)
{
    message.prepare_payload();
    std::string head;
    cpamd::http::append_header(message.base(), head);
    const std::array<asio::const_buffer, 2> pieces{asio::buffer(head), asio::buffer(message.body())};
    auto [ec, n] = co_await asio::async_write(socket, pieces, use_nothrow);
    co_return ec;
}

struct floor_settings
{
    tcp::endpoint upstream;
    std::string authorization;
};

asio::awaitable<void> relay_connection(tcp::socket client, const floor_settings& settings)
{
    auto executor = co_await asio::this_coro::executor;
    std::optional<tcp::socket> upstream;
    boost::beast::flat_buffer client_buffer, upstream_buffer;
    for (;;)
    {
        http::request<http::string_body> req;
        auto [read_ec, read_n] = co_await http::async_read(client, client_buffer, req, use_nothrow);
        if (read_ec)
            co_return;
        req.set(http::field::authorization, settings.authorization);
        req.keep_alive(true);

        if (!upstream)
        {
            upstream.emplace(executor);
            auto [connect_ec] = co_await upstream->async_connect(settings.upstream, use_nothrow);
            if (connect_ec)
                co_return;
            upstream->set_option(tcp::no_delay(true));
            upstream_buffer.clear();
        }
        auto write_ec = co_await write_flat(*upstream, req);
        http::response<http::string_body> res;
        if (!write_ec)
        {
            auto [res_ec, res_n] = co_await http::async_read(*upstream, upstream_buffer, res, use_nothrow);
            write_ec = res_ec;
        }
        if (write_ec)
            co_return;
        if (!res.keep_alive())
            upstream.reset();
        if (co_await write_flat(client, res))
            co_return;
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor acceptor, const floor_settings& settings)
{
    for (;;)
    {
        auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
        if (ec)
            continue;
        socket.set_option(tcp::no_delay(true));
        asio::co_spawn(
            acceptor.get_executor(), relay_connection(std::move(socket), settings), asio::detached
        );
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 4 && argc != 5)
    {
        fmt::print(stderr, "usage: beast-floor-proxy LISTEN_PORT UPSTREAM_PORT BEARER_VALUE [THREADS]\n");
        return 2;
    }
    const auto loopback = asio::ip::make_address_v4("127.0.0.1");
    const auto listen_port = static_cast<unsigned short>(std::atoi(argv[1]));
    floor_settings settings{
        tcp::endpoint(loopback, static_cast<unsigned short>(std::atoi(argv[2]))),
        fmt::format("Bearer {}", argv[3])};
    const int threads = argc == 5 ? std::max(1, std::atoi(argv[4])) : 1;
    asio::io_context ioc(threads);
    tcp::acceptor acceptor(ioc, tcp::endpoint(loopback, listen_port));
    asio::co_spawn(ioc, accept_loop(std::move(acceptor), settings), asio::detached);
    // A connection's coroutine never runs on two threads at once, so no strand is needed.
    std::vector<std::thread> extra;
    for (int i = 1; i < threads; ++i)
        extra.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : extra)
        t.join();
}
