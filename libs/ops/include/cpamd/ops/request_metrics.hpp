#pragma once

// HTTP requests by route and status, and a latency histogram per route, fed by the server's
// observe hook (http::server_options::observe) and written into /metrics. Route names come from
// the route table, so the label sets stay bounded. Thread-safe.

#include <chrono>
#include <cpamd/ops/prometheus_text.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace cpamd::ops
{

class request_metrics
{
public:
    // Seconds; the last bucket is everything slower.
    static constexpr double latency_bounds[] = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    // `status` 0: a streaming handler wrote the response itself (label code="streamed").
    void record(std::string_view route, unsigned status, std::chrono::microseconds elapsed);

    // cpamd_http_requests_total{route,code} and cpamd_http_request_duration_seconds{route}.
    void write(prometheus_text& out) const;

private:
    struct per_route
    {
        std::map<unsigned, std::uint64_t> by_status;
        histogram_data latency;
    };

    mutable std::mutex mutex_;
    std::map<std::string, per_route, std::less<>> routes_;
};

} // namespace cpamd::ops
