#pragma once

// One client connection to CPA's RESP endpoint (or to a real Redis), shared by the pop and subscribe
// transports. Ban safety is built in: AUTH is always the first command of a connection, nothing is
// pipelined behind it, and nothing at all is sent after a refused AUTH (the connection is closed). No
// HELLO, CLIENT, SELECT or health-check PING is ever sent (spec §7.5: five pre-auth commands ban the
// IP for 30 minutes).
//
// Not thread-safe: use it from one strand. close()/cancel() make the pending operation complete.

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <cpamd/collector_api/collector.hpp>
#include <cpamd/resp/parser.hpp>
#include <cpamd/resp/value.hpp>
#include <cstddef>
#include <memory>
#include <string>

namespace cpamd::collectors
{

struct resp_reply
{
    bool ok = false;
    resp::value value;              // the frame, when ok
    collector_api::outcome failure; // why not, when !ok (the connection is then closed)
};

class resp_connection
{
public:
    explicit resp_connection(boost::asio::any_io_executor ex);
    ~resp_connection();
    resp_connection(const resp_connection&) = delete;
    resp_connection& operator=(const resp_connection&) = delete;

    // Drops any previous connection, then resolves and connects to settings->base_url, does the TLS
    // handshake for https (SNI for host names, no ALPN so CPA sniffs RESP; verification unless
    // tls_skip_verify), sends AUTH <key> and checks +OK. Each step is bounded by request_timeout.
    // Returns ok, or auth_failed / unsupported / io_error / cancelled with the connection closed.
    // `settings` must outlive the connection.
    boost::asio::awaitable<collector_api::outcome> open(const collector_api::collector_settings* settings);

    // Writes one encoded command within `timeout`: ok, or io_error / cancelled (connection closed).
    boost::asio::awaitable<collector_api::outcome> send(std::string bytes, std::chrono::milliseconds timeout);

    // The next reply frame. Frames already buffered are returned without I/O. A zero timeout waits
    // indefinitely. An answer that starts with 'H' (HTTP: a reverse proxy, or not a CPA port) fails
    // with unsupported; EOF, protocol errors and timeouts fail with io_error.
    boost::asio::awaitable<resp_reply> read(std::chrono::milliseconds timeout);

    bool is_open() const;
    // For a kept-alive idle connection: false when the server already closed it (EOF or unexpected
    // bytes waiting), so the caller reconnects instead of losing a pop to a dead connection.
    bool still_usable();
    // When bytes last arrived (or the connection was opened): the subscriber's liveness clock.
    std::chrono::steady_clock::time_point last_received() const { return last_received_; }

    // Drops the connection; a pending operation completes with io_error.
    void close();
    // Drops it for good: pending and later operations complete with cancelled.
    void cancel();
    bool cancelled() const { return cancelled_; }

private:
    using tcp = boost::asio::ip::tcp;
    using tls_stream = boost::asio::ssl::stream<tcp::socket>;

    boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
    read_some_raw(boost::asio::mutable_buffer b);
    boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
    write_raw(boost::asio::const_buffer b);
    collector_api::outcome failure(std::string what);
    boost::asio::awaitable<collector_api::outcome> authenticate(const collector_api::collector_settings* s);

    boost::asio::any_io_executor executor_;
    tcp::resolver resolver_;
    tcp::socket tcp_; // plain connection, or moved into tls_
    std::unique_ptr<boost::asio::ssl::context> tls_context_;
    std::unique_ptr<tls_stream> tls_; // set for https once connected
    bool open_ = false;
    bool cancelled_ = false;

    resp::parser parser_;
    std::array<char, 64 * 1024> buffer_{}; // bytes read but not yet parsed: [begin_, end_)
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    std::size_t frames_ = 0; // frames parsed on this connection
    char first_byte_ = 0;    // of the connection's first reply: 'H' means HTTP
    std::chrono::steady_clock::time_point last_received_{};
};

// Reply limits for the transports: flat arrays of bulk strings (one level of nesting for safety),
// 16 MiB per record, 65 536 elements and 32 MiB per reply (a pop's cap, as for HTTP; a reply beyond
// it is a protocol error).
resp::limits reply_limits();

} // namespace cpamd::collectors
