#pragma once

// A running cpa-sim on 127.0.0.1 plus small blocking clients for its two protocols.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cpamd/resp/value.hpp>
#include <cpamd/test/child_process.hpp>
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

inline const std::string mgmt_key = "test-mgmt-key";
inline const std::string control_key = "test-control-key";

class sim_process
{
public:
    // Starts cpa-sim with --listen 127.0.0.1:0, the keys above, a ledger in a temp dir and
    // `extra` flags; waits for the "listening" line.
    explicit sim_process(std::vector<std::string> extra = {});

    std::uint16_t port() const { return port_; }
    std::filesystem::path ledger() const { return dir_ / "ledger.jsonl"; }
    child_process& process() { return *proc_; }

    http_reply mgmt(const std::string& method, const std::string& target, const std::string& body = {});
    http_reply control(const std::string& method, const std::string& target, const std::string& body = {});
    boost::json::value stats();
    // Ledger lines parsed as JSON objects.
    std::vector<boost::json::object> ledger_lines() const;
    // "COMMAND args" of every RESP command it received, oldest first (from its request log).
    std::vector<std::string> resp_commands();

private:
    temp_dir dir_;
    std::unique_ptr<child_process> proc_;
    std::uint16_t port_ = 0;
};

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
