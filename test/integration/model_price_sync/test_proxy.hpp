#pragma once

// An outbound proxy on 127.0.0.1 for the price sync tests: HTTP forward proxy (absolute-form
// requests), HTTP CONNECT and SOCKS5 (with optional user/password) on one port, recording what
// each client asked for.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace cpamd::test
{

class test_proxy
{
public:
    // With a user, clients must authenticate (Proxy-Authorization Basic, or SOCKS5 RFC 1929).
    explicit test_proxy(std::string user = {}, std::string password = {});
    ~test_proxy();
    test_proxy(const test_proxy&) = delete;
    test_proxy& operator=(const test_proxy&) = delete;

    std::uint16_t port() const { return port_; }

    // One line per client: "GET http://127.0.0.1:1234/x HTTP/1.1", "CONNECT 127.0.0.1:443",
    // "SOCKS5 127.0.0.1:1234" (an address) or "SOCKS5 name localhost:1234" (a host name).
    std::vector<std::string> seen() const;
    // Proxy-Authorization values received.
    std::vector<std::string> credentials() const;

    struct state;

private:
    void accept_loop();

    std::shared_ptr<state> st_;
    std::uint16_t port_ = 0;
    std::thread acceptor_;
};

} // namespace cpamd::test
