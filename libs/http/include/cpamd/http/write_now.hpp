#pragma once

// Writes that skip the scheduler when the socket takes the bytes at once. An async_write that
// could complete at once still posts its completion and resumes the coroutine through the
// scheduler: about 1 300 instructions a write in the proxy's profile, where most writes fit the
// socket's send buffer whole. Here the bytes are offered to the socket first, without waiting;
// only what it does not take is left to async_write.
//
// The fast path needs the socket in non-blocking mode (socket.non_blocking(true), as the server
// and the proxy set their sockets up); without it, or on other streams (TLS), this is
// async_write.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cpamd/http/types.hpp>
#include <tuple>

namespace cpamd::http
{

// The TCP socket under a stream the fast path can write to directly; null for other streams.
inline asio::ip::tcp::socket* plain_socket(asio::ip::tcp::socket& s)
{
    return &s;
}
inline asio::ip::tcp::socket* plain_socket(beast::tcp_stream& s)
{
    return &s.socket();
}
template <class Stream>
asio::ip::tcp::socket* plain_socket(Stream&)
{
    return nullptr;
}

// Writes all of `buffers` to `stream`: [error, bytes written], as async_write gives them.
template <class Stream, class Buffers>
asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> write_all(Stream& stream, Buffers buffers)
{
    boost::system::error_code ec;
    std::size_t sent = 0;
    auto* socket = plain_socket(stream);
    if (socket && socket->non_blocking())
    {
        sent = socket->write_some(buffers, ec);
        if (!ec && sent == asio::buffer_size(buffers))
            co_return std::tuple{ec, sent};
        if (ec && ec != asio::error::would_block && ec != asio::error::try_again)
            co_return std::tuple{ec, sent};
    }
    beast::buffers_suffix<Buffers> rest(buffers);
    rest.consume(sent);
    auto [rest_ec, rest_sent] = co_await asio::async_write(stream, rest, use_nothrow);
    co_return std::tuple{rest_ec, sent + rest_sent};
}

} // namespace cpamd::http
