#pragma once

// A blocking HTTP/1.1 client that streams: it sends a body in pieces from a generator and reads
// the response body piece by piece as it arrives, so a test can send or receive hundreds of MB,
// time server-sent events, or notice a connection cut mid-body. Every step has a timeout.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::test
{

class stream_client
{
public:
    explicit stream_client(
        std::uint16_t port, std::chrono::milliseconds step_timeout = std::chrono::seconds(10)
    );

    // Fills `out` with up to `size` bytes and returns how many; 0 ends the body.
    using body_source = std::function<std::size_t(char* out, std::size_t size)>;

    // Sends the request: no body, or `content_length` bytes drawn from `source`.
    void send(
        const std::string& method,
        const std::string& target,
        const std::map<std::string, std::string>& headers,
        std::uint64_t content_length = 0,
        const body_source& source = {}
    );

    // Reads the response header; returns the status.
    unsigned read_header();
    std::string header(const std::string& name) const;

    // The next piece of the body as it arrived; nullopt at its end. cut() tells whether the end
    // was the connection breaking off rather than the body completing. Throws on a timeout.
    std::optional<std::string_view> read_piece();
    bool cut() const { return cut_; }

private:
    // Runs the io_context until `done` or the step timeout (then closes and throws).
    void run(const bool& done);
    // Starts one asynchronous operation with a handler and runs it to completion.
    template <class Start>
    boost::system::error_code run_op(Start start);

    std::chrono::milliseconds timeout_;
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> parser_;
    std::vector<char> piece_;
    bool cut_ = false;
};

// Resident and peak resident memory of a process (VmRSS, VmHWM), in bytes.
struct process_memory
{
    std::uint64_t rss = 0;
    std::uint64_t peak = 0;
};
process_memory read_process_memory(int pid);

} // namespace cpamd::test
