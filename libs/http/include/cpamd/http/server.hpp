#pragma once

// The HTTP/1.1 server: one coroutine per connection on its own strand, keep-alive and
// pipelining-safe (requests are read and answered strictly in order), with limits so that no
// client can hold the daemon: header size and read timeout, per-route body limits, an idle
// timeout between requests and between body bytes, and a cap on concurrent connections.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cpamd/core/listen_address.hpp>
#include <cpamd/http/router.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::http
{

// What the server reports about each request it answered, for metrics.
struct request_observation
{
    std::string_view route;               // the route's name; "-" when no route matched
    unsigned status = 0;                  // 0: no response was written (the client left)
    std::chrono::microseconds elapsed{0}; // from the complete header to the response written
};

struct server_options
{
    listen_address listen{"127.0.0.1", 0};
    unsigned max_connections = 1024;
    // Connections one client address may hold (IPv6: one /64), so one client cannot take every
    // connection from the others.
    unsigned max_connections_per_address = 256;
    std::uint32_t header_limit = 16 * 1024;
    std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
    std::chrono::milliseconds body_idle_timeout{std::chrono::seconds(30)};
    std::chrono::milliseconds write_timeout{std::chrono::seconds(60)};
    std::vector<std::string> cors_origins{"*"};
    // One thread runs the io_context: connections then need no strand, which saves a lock and an
    // executor wrapper on every completion.
    bool single_thread = false;
    // Decides whether a request may reach a route of the given access level; an engaged result
    // is sent instead. Unset: every route is open (until the security part plugs in).
    std::function<std::optional<response>(const exchange&, auth_level)> authorize;
    // Called once per answered request, on the connection's strand (any thread). Keep it cheap.
    std::function<void(const request_observation&)> observe;
};

struct server_counters
{
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> refused{0};             // over the connection cap
    std::atomic<std::uint64_t> refused_per_address{0}; // over one address's cap
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> bad_requests{0};
};

class server
{
public:
    server(asio::io_context& ioc, router routes, server_options options);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds, listens and starts accepting. Throws boost::system::system_error if it cannot bind.
    void start();
    asio::ip::tcp::endpoint local_endpoint() const;

    // Stops accepting and closes connections that are between requests; requests in flight are
    // answered (with Connection: close). Returns at once; poll active_connections().
    void begin_shutdown();
    std::size_t active_connections() const;
    const server_counters& counters() const;

private:
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace cpamd::http
