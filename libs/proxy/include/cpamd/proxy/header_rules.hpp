#pragma once

// Which headers cross the proxy (spec manager-api §5.13): hop-by-hop headers (RFC 9110 §7.6.1,
// and any named in Connection) stay on their hop, X-CPAMP-* never reach CPA, and the forwarding
// headers say who asked. Heads are written straight from the parsed header into the bytes that
// go out: nothing is edited in place, so no field is inserted or erased on the way.

#include <boost/beast/http/message.hpp>
#include <cpamd/http/cors.hpp>
#include <cpamd/proxy/response_head.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace cpamd::proxy
{

// Whether a client wants its connection kept open after this request (HTTP/1.1: unless it says
// close; HTTP/1.0: only if it says keep-alive).
bool keeps_alive(unsigned version, std::string_view connection);

// True for a header that describes one connection, not the message.
bool is_hop_by_hop(std::string_view name);

// How the body after a head is framed. The sender decides: the client's own framing stays on
// its hop.
struct body_framing
{
    enum class kind
    {
        none,    // no body, no Content-Length
        length,  // Content-Length: length
        chunked, // Transfer-Encoding: chunked
    };
    kind how = kind::none;
    std::uint64_t length = 0;
};

// What the request CPA gets says besides the client's own fields.
struct upstream_head
{
    std::string_view target;                       // CPA's base path and the client's target
    std::string_view upstream_host;                // the Host header CPA gets
    std::string_view client_ip;                    // appended to X-Forwarded-For
    std::optional<std::string_view> authorization; // replaces the client's (the stored CPA key)
    std::span<const std::pair<std::string, std::string>> set_headers; // replace the client's
    std::span<const std::string> drop_headers;                        // never leave cpamd
    // False: the client's X-Forwarded-For, X-Real-IP and Forwarded are dropped, so CPA sees only
    // the address cpamd saw (a caller cannot name whom CPA charges a failed login to).
    bool client_chain = true;
};

// Appends the request line and fields of the request CPA gets: the client's fields minus what
// stays on this hop, X-CPAMP-*, Expect, what `u` drops or replaces; then Host, Authorization,
// X-Forwarded-For/-Proto/-Host and `u.set_headers`. The head stays open: end_head() closes it.
void append_upstream_head(
    const boost::beast::http::request_header<>& in, const upstream_head& u, std::string& out
);

// Appends the framing field of `framing`, then the blank line that ends a head.
void end_head(const body_framing& framing, std::string& out);

// What the response the client gets says besides CPA's fields.
struct client_head
{
    bool keep_alive = true; // otherwise "Connection: close"
    bool chunked = false;   // "Transfer-Encoding: chunked": the body is re-framed for the client
    http::cors_headers cors;
};

// Appends the whole head of the response the client gets: HTTP/1.1, CPA's status, CPA's fields
// minus the hop-by-hop ones (Transfer-Encoding included) and those the CORS headers replace, then
// those, Connection and the framing. X-CPA-* and the rest pass.
void append_client_head(const response_head& in, const client_head& c, std::string& out);

} // namespace cpamd::proxy
