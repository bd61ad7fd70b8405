#include <cpamd/analytics/anomaly_rules.hpp>

namespace cpamd::analytics
{

std::optional<anomaly_verdict> judge_anomaly(const anomaly_input& previous, const anomaly_input& current)
{
    anomaly_verdict v;
    double changes = 0;
    auto flag = [&](const char* name, double change)
    {
        v.flags.emplace_back(name);
        changes += change;
    };
    const bool both_have_calls = previous.calls > 0 && current.calls > 0;
    if (previous.calls > 0 && current.calls >= 2 * previous.calls)
        flag("request_spike", static_cast<double>(current.calls) / static_cast<double>(previous.calls) - 1);
    if (previous.cost > 0 && current.cost >= 2 * previous.cost)
        flag("cost_spike", current.cost / previous.cost - 1);
    if (both_have_calls && previous.total_tokens > 0)
    {
        double before = static_cast<double>(previous.total_tokens) / static_cast<double>(previous.calls);
        double now = static_cast<double>(current.total_tokens) / static_cast<double>(current.calls);
        if (now >= 1.5 * before)
            flag("tokens_per_request_spike", now / before - 1);
    }
    if (both_have_calls && current.cache_hit_rate <= previous.cache_hit_rate - 0.20)
        flag("cache_hit_drop", previous.cache_hit_rate - current.cache_hit_rate);
    if (both_have_calls && current.failure_rate >= previous.failure_rate + 0.20)
        flag("failure_rate_spike", current.failure_rate - previous.failure_rate);
    if (previous.p95_latency_ms && current.p95_latency_ms && *previous.p95_latency_ms > 0 &&
        *current.p95_latency_ms >= 1.5 * *previous.p95_latency_ms)
        flag("latency_spike", *current.p95_latency_ms / *previous.p95_latency_ms - 1);
    if (v.flags.empty())
        return std::nullopt;
    v.severity = v.flags.size() >= 3 ? "high" : v.flags.size() == 2 ? "medium" : "low";
    v.score = 10.0 * static_cast<double>(v.flags.size()) + changes;
    return v;
}

} // namespace cpamd::analytics
