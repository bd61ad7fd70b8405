#pragma once

// Which headers cross the proxy (spec manager-api §5.13): hop-by-hop headers (RFC 9110 §7.6.1,
// and any named in Connection) stay on their hop, X-CPAMP-* never reach CPA, and the forwarding
// headers say who asked.

#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>

namespace cpamd::proxy
{

// Whether a client wants its connection kept open after this request (HTTP/1.1: unless it says
// close; HTTP/1.0: only if it says keep-alive).
bool keeps_alive(unsigned version, std::string_view connection);

// True for a header that describes one connection, not the message.
bool is_hop_by_hop(std::string_view name);

struct forwarding
{
    std::string client_ip;     // appended to X-Forwarded-For
    std::string upstream_host; // the Host header CPA gets
};

// Copies the client's request headers that may go upstream, then sets Host and the X-Forwarded-*
// headers. Content-Length, Expect and Authorization are left for the caller to decide.
void copy_request_headers(
    const boost::beast::http::fields& in, boost::beast::http::fields& out, const forwarding& f
);

// Copies CPA's response headers that may go back to the client (X-CPA-* included). Framing
// (Content-Length, Transfer-Encoding) is left to the caller.
void copy_response_headers(const boost::beast::http::fields& in, boost::beast::http::fields& out);

} // namespace cpamd::proxy
