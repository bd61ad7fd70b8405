#include "mux.hpp"

#include "sessions.hpp"
#include "tls.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/core/log.hpp>

namespace cpamd::sim
{
namespace
{

namespace asio = boost::asio;
namespace beast = boost::beast;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

bool is_resp_byte(char c)
{
    return c == '*' || c == '$' || c == '+' || c == '-' || c == ':';
}

template <class Stream>
asio::awaitable<void> sniff_and_serve(sim_context* ctx, Stream* stream, connection_info info, bool alpn_http)
{
    if (alpn_http)
    {
        // Named: g++ 12 destroys temporaries in a co_await expression twice.
        beast::flat_buffer empty;
        co_await run_http_session(ctx, stream, std::move(empty), info);
        co_return;
    }
    // The first byte must arrive within the sniff deadline (10 s in CPA).
    std::array<char, 4096> first{};
    asio::steady_timer timer(stream->get_executor(), std::chrono::milliseconds(ctx->opts.sniff_timeout_ms));
    auto r =
        co_await (stream->async_read_some(asio::buffer(first), use_nothrow) || timer.async_wait(use_nothrow));
    if (r.index() == 1)
        co_return;
    auto [ec, n] = std::get<0>(r);
    if (ec || n == 0)
        co_return;
    if (is_resp_byte(first[0]))
    {
        co_await run_resp_session(ctx, stream, std::string(first.data(), n), info);
        co_return;
    }
    beast::flat_buffer buffer;
    auto dst = buffer.prepare(n);
    std::memcpy(dst.data(), first.data(), n);
    buffer.commit(n);
    co_await run_http_session(ctx, stream, std::move(buffer), info);
}

asio::awaitable<void> serve_connection(sim_context* ctx, tcp_socket socket, asio::ssl::context* tls)
{
    connection_info info;
    info.id = ctx->next_connection_id++;
    boost::system::error_code ec;
    auto peer = socket.remote_endpoint(ec);
    if (ec)
        co_return;
    auto addr = peer.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped())
        addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    info.peer_ip = addr.to_string();
    info.tls = tls != nullptr;

    if (!tls)
    {
        auto handle = ctx->connections.add(
            [s = &socket]
            {
                boost::system::error_code ignored;
                s->close(ignored);
            }
        );
        co_await sniff_and_serve(ctx, &socket, info, false);
        ctx->connections.remove(handle);
        socket.close(ec);
        co_return;
    }
    tls_stream stream(std::move(socket), *tls);
    auto handle = ctx->connections.add(
        [s = &stream]
        {
            boost::system::error_code ignored;
            s->lowest_layer().close(ignored);
        }
    );
    asio::steady_timer timer(stream.get_executor(), std::chrono::milliseconds(ctx->opts.sniff_timeout_ms));
    auto r = co_await (
        stream.async_handshake(asio::ssl::stream_base::server, use_nothrow) || timer.async_wait(use_nothrow)
    );
    if (r.index() == 0 && !std::get<0>(std::get<0>(r)))
        co_await sniff_and_serve(ctx, &stream, info, alpn_selected_http(stream.native_handle()));
    ctx->connections.remove(handle);
    stream.lowest_layer().close(ec);
}

} // namespace

asio::awaitable<void>
accept_loop(sim_context* ctx, asio::ip::tcp::acceptor* acceptor, asio::ssl::context* tls)
{
    for (;;)
    {
        auto [ec, socket] = co_await acceptor->async_accept(use_nothrow);
        if (ec == asio::error::operation_aborted || !acceptor->is_open())
            co_return;
        if (ec)
            continue; // e.g. EMFILE: keep serving
        socket.set_option(asio::ip::tcp::no_delay(true), ec);
        asio::co_spawn(
            acceptor->get_executor(),
            serve_connection(ctx, std::move(socket), tls),
            [](std::exception_ptr e)
            {
                if (!e)
                    return;
                try
                {
                    std::rethrow_exception(e);
                }
                catch (const std::exception& x)
                {
                    log::error("cpa-sim: connection failed: {}", x.what());
                }
            }
        );
    }
}

} // namespace cpamd::sim
