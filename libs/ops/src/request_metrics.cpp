#include <algorithm>
#include <cpamd/ops/request_metrics.hpp>
#include <iterator>

namespace cpamd::ops
{

void request_metrics::record(std::string_view route, unsigned status, std::chrono::microseconds elapsed)
{
    const double seconds = static_cast<double>(elapsed.count()) / 1e6;
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(std::begin(latency_bounds), std::end(latency_bounds), seconds) -
        std::begin(latency_bounds)
    );
    std::lock_guard lock(mutex_);
    auto it = routes_.find(route);
    if (it == routes_.end())
    {
        per_route fresh;
        fresh.latency.bounds.assign(std::begin(latency_bounds), std::end(latency_bounds));
        fresh.latency.counts.assign(fresh.latency.bounds.size() + 1, 0);
        it = routes_.emplace(std::string(route), std::move(fresh)).first;
    }
    it->second.by_status[status]++;
    it->second.latency.counts[bucket]++;
    it->second.latency.sum += seconds;
}

void request_metrics::write(prometheus_text& out) const
{
    std::lock_guard lock(mutex_);
    out.family("cpamd_http_requests_total", "counter", "HTTP requests answered, by route and status code.");
    for (const auto& [route, r] : routes_)
        for (const auto& [status, n] : r.by_status)
        {
            const std::string code = status == 0 ? "none" : std::to_string(status);
            out.sample(
                "cpamd_http_requests_total", {{"route", route}, {"code", code}}, static_cast<double>(n)
            );
        }
    out.family(
        "cpamd_http_request_duration_seconds",
        "histogram",
        "Time from a request's header to the end of its response, by route."
    );
    for (const auto& [route, r] : routes_)
    {
        const label l[] = {{"route", route}};
        out.histogram("cpamd_http_request_duration_seconds", l, r.latency);
    }
}

} // namespace cpamd::ops
