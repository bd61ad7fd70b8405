#pragma once

// One connection to CPA, plain TCP or TLS, and the bounded pool that keeps idle ones for reuse.
//
// The streams are bare sockets, not beast::tcp_stream: a pooled connection serves requests from
// many client sessions (each on its own strand), and a stream-owned timer would fire on the strand
// that created it. Timeouts are the caller's (see io_deadline.hpp), on the caller's strand.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace cpamd::proxy
{

class upstream_connection
{
public:
    using plain_stream = boost::asio::ip::tcp::socket;
    using tls_stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

    upstream_connection(std::string pool_key, plain_stream s);
    upstream_connection(std::string pool_key, tls_stream s);

    // Calls f(stream) with the concrete stream type.
    template <class F>
    decltype(auto) visit(F&& f)
    {
        return std::visit(std::forward<F>(f), stream_);
    }

    boost::asio::ip::tcp::socket& socket();
    const std::string& pool_key() const { return pool_key_; }
    // Bytes read past the previous response; a reusable connection has none.
    boost::beast::flat_buffer& buffer() { return buffer_; }

    // True when the peer has not closed and sent nothing unasked (checked without blocking).
    bool looks_alive();
    void close();

    std::chrono::steady_clock::time_point idle_since;
    bool reused = false;

private:
    std::string pool_key_;
    std::variant<plain_stream, tls_stream> stream_;
    boost::beast::flat_buffer buffer_;
};

// Idle connections by upstream (scheme, host, port, verification). Bounded in count; a connection
// idle longer than `idle_ttl` is closed instead of reused (CPA may have dropped it). Thread-safe.
class upstream_pool
{
public:
    upstream_pool(std::size_t max_idle, std::chrono::seconds idle_ttl);
    ~upstream_pool();

    // A live idle connection for `key`, or null.
    std::unique_ptr<upstream_connection> take(const std::string& key);
    // Keeps `c` for reuse, or closes it when the pool is full.
    void give_back(std::unique_ptr<upstream_connection> c);
    std::size_t idle_count() const;

private:
    std::size_t max_idle_;
    std::chrono::seconds idle_ttl_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::vector<std::unique_ptr<upstream_connection>>> idle_;
    std::size_t count_ = 0;
};

} // namespace cpamd::proxy
