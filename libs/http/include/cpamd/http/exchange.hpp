#pragma once

// One request as a handler sees it: the parsed header, the split target, route parameters, the
// client address and (for buffered routes) the whole body. Streaming handlers also get the
// connection itself and write their own response.

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cpamd/http/types.hpp>
#include <cpamd/http/watchdog.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpamd::http
{

// What a streaming handler needs to read the body and write the response on its own.
struct connection_access
{
    beast::tcp_stream& stream; // its own timeouts are never set: `deadline` times the socket
    watchdog& deadline;
    beast::flat_buffer& buffer;
    bhttp::request_parser<bhttp::empty_body>& parser; // the header has been read, the body not
};

// What a connection has already worked out, kept for its next requests (one connection's
// requests never overlap). Owned by the session; the authorizer keeps what it proved here.
struct connection_memo
{
    connection_memo() = default;
    connection_memo(const connection_memo&) = delete;
    connection_memo& operator=(const connection_memo&) = delete;
    ~connection_memo() { forget_credential(); }

    // Wipes the remembered credential (it is a secret), keeping the capacity.
    void forget_credential() noexcept;

    std::string client_address_text;     // filled on first use
    std::string proven_credential;       // the last credential the authorizer accepted here
    std::uint64_t proven_generation = 0; // ...against this generation of the stored one
};

class exchange
{
public:
    exchange(request_header& header, std::string_view target, asio::ip::address client);

    const request_header& header() const { return header_; }
    request_header& header() { return header_; }
    bhttp::verb method() const { return header_.method(); }
    std::string_view target() const { return target_; }
    std::string_view path() const { return path_; }
    std::string_view query() const { return query_; }
    // The first value of `key` in the query string, percent-decoded; nullopt when absent.
    std::optional<std::string> query_value(std::string_view key) const;
    // A header's value, or "" when absent.
    std::string_view header_value(std::string_view name) const;

    std::string_view param(std::string_view name) const;
    void set_params(std::vector<std::pair<std::string, std::string>> params) { params_ = std::move(params); }

    const asio::ip::address& client_address() const { return client_; }
    // The client address as text (address_text), worked out once per connection.
    std::string_view client_address_text() const;

    // The connection's memo; null for an exchange made outside a session (tests).
    connection_memo* memo() const { return memo_; }
    void set_memo(connection_memo* m) { memo_ = m; }

    // Buffered routes: the whole request body.
    std::string& body() { return body_; }
    const std::string& body() const { return body_; }

    // Streaming routes only; null otherwise.
    connection_access* connection() const { return connection_; }
    void set_connection(connection_access* c) { connection_ = c; }

    // A streaming handler that could not leave the connection reusable sets this.
    bool close_after = false;
    // The status a streaming handler wrote (for logs and metrics); 0 when it wrote none.
    unsigned status_written = 0;

private:
    request_header& header_;
    std::string target_;
    std::string_view path_;
    std::string_view query_;
    asio::ip::address client_;
    std::vector<std::pair<std::string, std::string>> params_;
    std::string body_;
    connection_access* connection_ = nullptr;
    connection_memo* memo_ = nullptr;
    mutable std::string address_text_; // without a memo
};

// Percent-decodes a query component ('+' is a space, as Go's url.ParseQuery reads it).
std::string decode_query_component(std::string_view s);

// Percent-decodes a path ('+' stays '+').
std::string decode_path(std::string_view s);

// True when the path is absolute and has no "." or ".." segment, raw or percent-encoded, and no
// NUL: requests that try path tricks are refused before routing.
bool is_clean_path(std::string_view path);

} // namespace cpamd::http
