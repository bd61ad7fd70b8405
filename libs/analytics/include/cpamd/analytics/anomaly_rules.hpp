#pragma once

// The anomaly rules of the usage-analytics timeline (analytics-api §3, `anomaly_points`): each
// bucket is compared with the bucket before it.
//   request_spike              calls >= 2 x previous calls (+100 %), previous calls > 0
//   cost_spike                 cost >= 2 x previous cost, previous cost > 0
//   tokens_per_request_spike   tokens per call >= 1.5 x previous (+50 %), both buckets have
//                              calls and the previous has tokens
//   cache_hit_drop             cache hit rate <= previous - 0.20 (20 points), both have calls
//   failure_rate_spike         failure rate >= previous + 0.20, both have calls
//   latency_spike              P95 latency >= 1.5 x previous P95, both known and > 0
// One flag is low, two medium, three or more high. score = 10 x flags + the sum of the flagged
// rules' changes (relative for spikes: now / before - 1; in rate points for the two rates).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::analytics
{

struct anomaly_input
{
    std::int64_t calls = 0, total_tokens = 0;
    double cost = 0, cache_hit_rate = 0, failure_rate = 0;
    std::optional<double> p95_latency_ms;
};

struct anomaly_verdict
{
    std::vector<std::string> flags; // in the order listed above
    std::string severity;           // low | medium | high
    double score = 0;
};

// nullopt when no rule fires.
std::optional<anomaly_verdict> judge_anomaly(const anomaly_input& previous, const anomaly_input& current);

} // namespace cpamd::analytics
