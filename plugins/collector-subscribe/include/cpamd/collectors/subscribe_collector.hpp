#pragma once

// The "subscribe" transport: AUTH, SUBSCRIBE <queue>, then deliver every message until the
// subscription ends (see subscription.hpp). pop() returns unsupported.

#include <atomic>
#include <boost/asio/strand.hpp>
#include <cpamd/collector_api/collector.hpp>
#include <cpamd/collectors/subscription.hpp>
#include <memory>

namespace cpamd::collectors
{

struct subscribe_state; // the connection and what it needs, shared with close()'s posted handler

class subscribe_collector final : public collector_api::ICollector
{
public:
    explicit subscribe_collector(const collector_api::collector_context& ctx, subscribe_options options = {});
    ~subscribe_collector() override;

    std::string_view transport() const noexcept override { return "subscribe"; }
    boost::asio::awaitable<collector_api::outcome> pop(std::size_t max) override;
    boost::asio::awaitable<collector_api::outcome> subscribe() override;
    void close() override;

private:
    // Every operation runs here, so close() from any thread never races the connection.
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    std::shared_ptr<subscribe_state> state_;
    std::atomic<bool> closed_{false};
};

} // namespace cpamd::collectors
