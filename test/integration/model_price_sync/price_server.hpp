#pragma once

// A stand-in for models.dev, LiteLLM and OpenRouter on 127.0.0.1: serves fixed bodies by path,
// fails or stalls on demand, and remembers every request it received.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cpamd::test
{

class price_server
{
public:
    struct reply
    {
        unsigned status = 200;
        std::string body;
        std::chrono::milliseconds stall{0}; // wait this long (or until shutdown), then close unanswered
    };
    struct request
    {
        std::string method;
        std::string target;
        std::map<std::string, std::string> headers; // names lower-cased
    };

    price_server();
    ~price_server();
    price_server(const price_server&) = delete;
    price_server& operator=(const price_server&) = delete;

    std::uint16_t port() const { return port_; }
    std::string url(const std::string& path) const
    {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

    // What `path` answers from now on (any query); unknown paths get 404.
    void set(const std::string& path, reply r);
    std::vector<request> requests() const;
    std::size_t count(const std::string& path) const;

private:
    void accept_loop();

    struct state;
    std::shared_ptr<state> st_;
    std::uint16_t port_ = 0;
    std::thread acceptor_;
};

} // namespace cpamd::test
