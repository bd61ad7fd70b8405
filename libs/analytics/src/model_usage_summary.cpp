#include <algorithm>
#include <cpamd/analytics/model_usage_summary.hpp>
#include <cpamd/store/dims.hpp>
#include <cpamd/store/rollup_rows.hpp>
#include <limits>
#include <map>

namespace cpamd::analytics
{
namespace
{

constexpr std::int64_t all_hours_from = std::numeric_limits<std::int64_t>::min() / 2;
constexpr std::int64_t all_hours_to = std::numeric_limits<std::int64_t>::max() / 2;

// The first hour of the newest whole hours that hold at least `limit` events, and the totals.
struct sample_window
{
    std::int64_t first_hour = all_hours_from;
    std::int64_t sampled = 0;
    std::int64_t total = 0;
};

sample_window newest_hours(store::connection& db, std::int64_t limit)
{
    auto per_hour = store::calls_per_hour(db);
    sample_window w;
    for (auto it = per_hour.rbegin(); it != per_hour.rend(); ++it) // newest first
    {
        auto [hour, calls] = *it;
        if (w.sampled < limit || limit <= 0)
        {
            w.sampled += calls;
            w.first_hour = hour;
        }
        w.total += calls;
    }
    return w;
}

} // namespace

model_usage_summary summarize_model_usage(store::connection& db, std::int64_t query_limit)
{
    store::read_transaction snapshot(db);
    auto window = newest_hours(db, query_limit);
    // (model, billing model) -> calls, over the sampled hours.
    std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> pairs;
    store::for_each_rollup_row(
        db,
        window.first_hour,
        all_hours_to,
        [&](const store::rollup_row& r) {
            pairs[{r.model, r.billing_model}] += r.calls;
        }
    );
    store::dim_reader dims(db);
    std::map<std::string, model_usage, std::less<>> by_name;
    auto entry = [&](std::int64_t id) -> model_usage*
    {
        const auto& name = dims.value(id);
        if (name.empty())
            return nullptr;
        auto& m = by_name[name];
        m.model = name;
        return &m;
    };
    for (const auto& [key, calls] : pairs)
    {
        auto* requested = entry(key.first);
        auto* resolved = entry(key.second);
        if (requested)
            requested->requested_calls += calls, requested->calls += calls;
        if (resolved)
        {
            resolved->resolved_calls += calls;
            if (resolved != requested)
                resolved->calls += calls;
        }
    }
    model_usage_summary out;
    out.sampled_events = window.sampled;
    out.total_events = window.total;
    out.truncated = window.sampled < window.total;
    for (auto& [name, m] : by_name)
        out.models.push_back(std::move(m));
    std::stable_sort(
        out.models.begin(), out.models.end(), [](const auto& a, const auto& b) { return a.calls > b.calls; }
    );
    return out;
}

} // namespace cpamd::analytics
