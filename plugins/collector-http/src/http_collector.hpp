#pragma once

// ICollector over CPA's HTTP usage queue: one keep-alive connection (HTTP or HTTPS), one
// destructive GET per pop, never retried (spec cpa-usage-queue §7.7).

#include <cpamd/collector_api/collector.hpp>
#include <memory>

namespace cpamd::collector_http
{

struct http_state;

class http_collector final : public collector_api::ICollector
{
public:
    explicit http_collector(const collector_api::collector_context& ctx);
    ~http_collector() override;

    std::string_view transport() const noexcept override { return "http"; }
    boost::asio::awaitable<collector_api::outcome> pop(std::size_t max) override;
    boost::asio::awaitable<collector_api::outcome> subscribe() override;
    void close() override;

private:
    // Shared with handlers still queued on the strand after close(), so they never touch a
    // destroyed collector.
    std::shared_ptr<http_state> state_;
};

} // namespace cpamd::collector_http
