#pragma once

// Small blocking clients for cpa-sim's two protocols (cpa-sim itself: cpamd/test/cpa_sim.hpp).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cpamd/resp/value.hpp>
#include <cpamd/test/child_process.hpp>
#include <cpamd/test/cpa_sim.hpp>
#include <cpamd/test/http_client.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::test
{

// A raw RESP connection with a per-read deadline.
class resp_conn
{
public:
    explicit resp_conn(std::uint16_t port, int rcvbuf = 0);
    void send(const std::string& bytes);
    void command(std::initializer_list<std::string_view> args);
    // Next frame, or nullopt on close/timeout.
    std::optional<resp::value> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Raw bytes until `n` bytes or timeout.
    std::string read_bytes(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // True when the server closed the connection (EOF) within the timeout.
    bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));

private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
    std::string pending_;
};

// Polls `pred` every 10 ms until true or timeout.
bool eventually(
    const std::function<bool()>& pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)
);

// Runs a command line, returns its stdout (stderr discarded).
std::string run_capture(const std::string& cmd);

} // namespace cpamd::test
