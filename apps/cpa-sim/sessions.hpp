#pragma once

// Per-connection protocol loops. Each is instantiated for a plain TCP socket and for a TLS
// stream; the caller (mux) owns the stream and has already read the first bytes into `buffer`.

#include "context.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <string>

namespace cpamd::sim
{

using tcp_socket = boost::asio::ip::tcp::socket;
using tls_stream = boost::asio::ssl::stream<tcp_socket>;

struct connection_info
{
    std::uint64_t id = 0;
    std::string peer_ip;
    bool tls = false;
};

// Serves HTTP/1.1 requests until the peer closes or a response asks to close.
template <class Stream>
boost::asio::awaitable<void>
run_http_session(sim_context* ctx, Stream* stream, boost::beast::flat_buffer buffer, connection_info info);

// Serves RESP commands (spec §3.3-§3.5) until close.
template <class Stream>
boost::asio::awaitable<void>
run_resp_session(sim_context* ctx, Stream* stream, std::string initial, connection_info info);

} // namespace cpamd::sim
