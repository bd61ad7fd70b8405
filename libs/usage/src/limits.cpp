#include <cpamd/usage/limits.hpp>
#include <initializer_list>

namespace cpamd::usage
{

namespace
{

bool summable(std::int64_t v) noexcept
{
    return v >= -max_summed_value && v <= max_summed_value;
}

bool summable(const std::optional<std::int64_t>& v) noexcept
{
    return !v || summable(*v);
}

} // namespace

bool in_event_range(utc_time t) noexcept
{
    return t.seconds >= min_event_seconds && t.seconds < end_event_seconds;
}

bool in_event_range_ms(std::int64_t ms) noexcept
{
    return ms >= min_event_ms && ms < end_event_ms;
}

std::optional<errc> check_limits(const event& ev) noexcept
{
    const auto& t = ev.tokens;
    const auto& c = ev.cost;
    for (std::int64_t v :
         {t.input,
          t.output,
          t.reasoning,
          t.cached,
          t.cache,
          t.cache_read,
          t.cache_creation,
          t.total,
          c.input_uncached,
          c.cache_read,
          c.cache_write,
          c.output,
          c.reasoning})
        if (!summable(v))
            return errc::token_count_out_of_range;
    if (!summable(ev.latency_ms) || !summable(ev.ttft_ms))
        return errc::latency_out_of_range;
    // The store keeps created_at_ms as an offset from the event time.
    if (!in_event_range_ms(ev.created_at_ms))
        return errc::created_at_out_of_range;
    return std::nullopt;
}

} // namespace cpamd::usage
