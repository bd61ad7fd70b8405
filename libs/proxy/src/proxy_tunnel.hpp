#pragma once

// Internal: turning a TCP connection to an outbound proxy into a byte tunnel to the target
// (one_shot.cpp). Each returns "" on success or the failing step's description; the stream's
// own deadline times every step.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cpamd/proxy/url_fetch.hpp>
#include <string>

namespace cpamd::proxy::detail
{

// HTTP CONNECT host:port (RFC 9110 §9.3.6), with Basic proxy credentials when the URL has them.
boost::asio::awaitable<std::string>
open_connect_tunnel(boost::beast::tcp_stream& s, const http_url& target, const outbound_proxy& p);

// SOCKS5 (RFC 1928) CONNECT, with username/password authentication (RFC 1929) when given. For
// kind::socks5 the target name is resolved here and the proxy gets an address; for socks5h the
// proxy gets the name.
boost::asio::awaitable<std::string>
open_socks5_tunnel(boost::beast::tcp_stream& s, const http_url& target, const outbound_proxy& p);

// "Basic base64(user:password)".
std::string basic_credentials(const outbound_proxy& p);

} // namespace cpamd::proxy::detail
