#pragma once

// Counters of the reverse proxy, read by /metrics. Lock-free; shared by every request.

#include <atomic>
#include <cstdint>

namespace cpamd::proxy
{

struct proxy_stats
{
    std::atomic<std::uint64_t> requests{0};          // forwarded to CPA
    std::atomic<std::uint64_t> upstream_errors{0};   // 502: connect, TLS, reset, malformed reply
    std::atomic<std::uint64_t> upstream_timeouts{0}; // 504
    std::atomic<std::uint64_t> not_configured{0};    // 428: no CPA connection yet
    std::atomic<std::uint64_t> client_aborts{0};     // the client left mid-request or mid-response
    std::atomic<std::uint64_t> connections_opened{0};
    std::atomic<std::uint64_t> connections_reused{0};
};

} // namespace cpamd::proxy
