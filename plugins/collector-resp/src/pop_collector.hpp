#pragma once

// The "resp" transport: pops batches with LPOP/RPOP <queue> <n> over one kept-alive, authenticated
// RESP connection.
//
// Failure contract of pop(): ok (records delivered to the sink before it returns), empty, or
// unsupported / auth_failed / io_error / cancelled with a message that never holds the key. A pop that
// failed after its command was sent is never retried: CPA's pop is destructive and has no ack.

#include <atomic>
#include <boost/asio/strand.hpp>
#include <cpamd/collector_api/collector.hpp>
#include <memory>

namespace cpamd::collectors
{

struct pop_state; // the connection and what it needs, shared with close()'s posted handler

class pop_collector final : public collector_api::ICollector
{
public:
    explicit pop_collector(const collector_api::collector_context& ctx);
    ~pop_collector() override;

    std::string_view transport() const noexcept override { return "resp"; }
    boost::asio::awaitable<collector_api::outcome> pop(std::size_t max) override;
    boost::asio::awaitable<collector_api::outcome> subscribe() override;
    void close() override;

private:
    // Every operation runs here, so close() from any thread never races the connection.
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    std::shared_ptr<pop_state> state_;
    std::atomic<bool> closed_{false};
};

} // namespace cpamd::collectors
