#include <algorithm>
#include <cpamd/analytics/dashboard_rules.hpp>

namespace cpamd::analytics
{

double ratio(std::int64_t part, std::int64_t total) noexcept
{
    return total <= 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(total);
}

double ratio(double part, double total) noexcept
{
    return total <= 0 ? 0.0 : part / total;
}

const char* health_cell_tone(std::int64_t calls, double failure_rate, bool future) noexcept
{
    if (future)
        return "future";
    if (calls == 0)
        return "empty";
    if (failure_rate >= 0.1)
        return "bad";
    if (failure_rate > 0)
        return "warn";
    return "good";
}

const char*
channel_tone(double success_rate, std::int64_t failures, std::optional<double> latency_ms) noexcept
{
    double latency = latency_ms.value_or(0);
    if (success_rate < 0.85 || failures >= 5 || latency >= 30'000)
        return "bad";
    if (success_rate < 0.95 || failures > 0 || latency >= 15'000)
        return "warn";
    return "good";
}

int tone_severity(std::string_view tone) noexcept
{
    if (tone == "bad")
        return 3;
    if (tone == "warn")
        return 2;
    return 1;
}

const char* failure_source_tone(double failure_rate, std::int64_t failures) noexcept
{
    return failure_rate >= 0.5 || failures >= 5 ? "bad" : "warn";
}

std::vector<dashboard_token_segment> token_mix(const dashboard_today& t)
{
    auto nonneg = [](std::int64_t v) { return std::max<std::int64_t>(v, 0); };
    std::int64_t cached =
        nonneg(t.cached_tokens) + nonneg(t.cache_read_tokens) + nonneg(t.cache_creation_tokens);
    std::int64_t input = std::max<std::int64_t>(nonneg(t.input_tokens) - cached, 0);
    std::int64_t output = nonneg(t.output_tokens);
    std::int64_t reasoning = nonneg(t.reasoning_tokens);
    if (t.total_tokens > 0)
    {
        std::int64_t overflow = input + cached + output + reasoning - t.total_tokens;
        if (overflow > 0)
        {
            auto cut = std::min(output, overflow);
            output -= cut, overflow -= cut;
        }
        if (overflow > 0)
            input -= std::min(input, overflow);
    }
    std::int64_t total = input + cached + output + reasoning;
    return {
        {"input", input, ratio(input, total)},
        {"cached", cached, ratio(cached, total)},
        {"output", output, ratio(output, total)},
        {"reasoning", reasoning, ratio(reasoning, total)}};
}

} // namespace cpamd::analytics
