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
    std::string_view client_ip;     // appended to X-Forwarded-For
    std::string_view upstream_host; // the Host header CPA gets
};

// Edits a client's request header in place for its trip upstream: drops what stays on this hop,
// X-CPAMP-* and Expect, sets Host and the X-Forwarded-* headers. Authorization and
// Content-Length are left for the caller to decide.
void prepare_upstream_request(boost::beast::http::fields& h, const forwarding& f);

// Removes from CPA's response header what must not go back to the client (hop-by-hop fields,
// Transfer-Encoding included: the caller re-frames the body). X-CPA-* and the rest stay.
void prepare_client_response(boost::beast::http::fields& h);

} // namespace cpamd::proxy
