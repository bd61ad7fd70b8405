#pragma once

// Internal state shared by the listener and every session.

#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cpamd/http/server.hpp>
#include <mutex>
#include <unordered_map>

namespace cpamd::http::detail
{

struct session
{
    session(asio::ip::tcp::socket socket, asio::ip::address client, std::string group)
        : stream(std::move(socket)), deadline(stream.socket()), client(std::move(client)),
          group(std::move(group))
    {
    }

    beast::tcp_stream stream;
    watchdog deadline; // times every operation on the socket (tcp_stream's own timeouts stay unset)
    beast::flat_buffer buffer;
    asio::ip::address client;
    std::string group; // address_group(client): its per-address cap
    connection_memo memo;
    std::uint64_t id = 0;
    // True while a request is being handled; touched only on the session's strand.
    bool busy = false;
};

struct server_state
{
    server_state(asio::io_context& ioc, router r, server_options o)
        : ioc(ioc), acceptor(asio::make_strand(ioc)), routes(std::move(r)), options(std::move(o))
    {
    }

    asio::io_context& ioc;
    asio::ip::tcp::acceptor acceptor;
    router routes;
    server_options options;
    server_counters counters;
    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> active{0};

    std::mutex mutex; // guards sessions and per_address
    std::unordered_map<std::uint64_t, std::weak_ptr<session>> sessions;
    std::uint64_t next_id = 0;
    std::unordered_map<std::string, unsigned> per_address; // open connections by address_group

    void add(const std::shared_ptr<session>& s);
    void remove(std::uint64_t id);
    // Counts a new connection from `group`; false (nothing counted) when it already holds the cap.
    bool admit(const std::string& group);
    void release(const std::string& group);
};

// Serves requests on one connection until it closes.
asio::awaitable<void> run_session(std::shared_ptr<server_state> st, std::shared_ptr<session> s);

} // namespace cpamd::http::detail
