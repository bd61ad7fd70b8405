#pragma once

// One port for HTTP and RESP: accept, optional TLS handshake, then route by ALPN or by the
// first byte (spec §3.1).

#include "context.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace cpamd::sim
{

// Accepts until the acceptor is closed. `tls` may be null (plain TCP).
boost::asio::awaitable<void>
accept_loop(sim_context* ctx, boost::asio::ip::tcp::acceptor* acceptor, boost::asio::ssl::context* tls);

} // namespace cpamd::sim
