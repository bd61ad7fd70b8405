#pragma once

// A scripted RESP server on 127.0.0.1 for behaviours neither cpa-sim nor Redis shows on demand (an
// HTTP answer, a peer that goes silent, CPA's nil pong, a reply that never comes). Connections are
// served one at a time, each by the script, on a background thread.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cpamd/resp/command.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cpamd::test
{

class fake_peer;

class peer_conn
{
public:
    peer_conn(boost::asio::ip::tcp::socket s, fake_peer& owner);
    // The next command (recorded in fake_peer::commands()), or nullopt on EOF, timeout or stop.
    std::optional<resp::command> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    void write(const std::string& bytes);
    // Waits until the client closes (or the peer stops); the script's way of holding a connection.
    void hold(std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    boost::asio::ip::tcp::socket socket_;
    fake_peer& owner_;
    std::string pending_;
    resp::command_reader reader_;
};

class fake_peer
{
public:
    using script = std::function<void(peer_conn&)>;
    explicit fake_peer(script s);
    ~fake_peer();

    std::uint16_t port() const { return port_; }
    // "NAME args..." of every command received, oldest first.
    std::vector<std::string> commands() const;
    int connections() const { return connections_; }
    bool stopping() const { return stop_; }
    void record(const resp::command& c);

private:
    void serve();

    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    script script_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> commands_;
    std::thread thread_;
};

} // namespace cpamd::test
