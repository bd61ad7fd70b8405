#pragma once

// A small blocking HTTP/1.1 client over a real socket, for black-box tests. One object is one
// keep-alive connection.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace cpamd::test
{

struct http_reply
{
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // names lower-cased
    bool keep_alive = false;

    std::string header(const std::string& lower_name) const;
};

class http_client
{
public:
    http_client(
        std::string host, std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10)
    );
    // Binds the client socket to `local_address` first (e.g. "127.0.0.2", also loopback), so a
    // test can act as a second client address.
    http_client(
        std::string host, std::uint16_t port, std::chrono::milliseconds timeout, std::string local_address
    );

    // Sends one request and reads the reply. Throws on a socket error or timeout.
    http_reply request(
        const std::string& method,
        const std::string& target,
        const std::string& body = {},
        const std::map<std::string, std::string>& headers = {}
    );
    http_reply get(const std::string& target, const std::map<std::string, std::string>& headers = {})
    {
        return request("GET", target, {}, headers);
    }

    // Raw bytes, for malformed-request tests. read_raw() returns what arrived until close or timeout.
    void send_raw(const std::string& bytes);
    std::string read_raw();
    bool connected() const { return socket_.is_open(); }

private:
    void connect();

    std::string host_;
    std::uint16_t port_;
    std::chrono::milliseconds timeout_;
    std::string local_address_; // empty: the kernel picks
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

// Retries GET `target` until it answers (any status) or `timeout` passes. Returns success.
bool wait_until_listening(std::uint16_t port, std::chrono::milliseconds timeout);

} // namespace cpamd::test
