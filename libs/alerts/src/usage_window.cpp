#include <algorithm>
#include <cpamd/alerts/usage_window.hpp>
#include <cpamd/analytics/monitoring_analytics.hpp>
#include <cpamd/core/floor_div.hpp>
#include <cpamd/store/dims.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/rate_memo.hpp>
#include <limits>

namespace cpamd::alerts
{
namespace
{

constexpr std::int64_t ms_per_minute = 60'000;
constexpr std::int64_t ns_per_ms = 1'000'000;
// A rebuild reads this much event time per step (one reader call).
constexpr std::int64_t rebuild_slice_ns = std::int64_t{3600} * 1'000'000'000;

constexpr const char* columns = R"sql(
SELECT id, ts_ns, model, auth_index, api_key, failed, fail_status_code, latency_ms,
       cost_uncached, cost_cache_read, cost_cache_write, cost_output, cost_reasoning,
       response_model, resolved_model, service_tier
FROM events )sql";

} // namespace

struct detail::window_row
{
    std::int64_t ts_ms = 0, model = 0, auth_index = 0, api_key = 0;
    bool failed = false;
    int status = 0;
    std::optional<std::int64_t> latency_ms;
    double usd = 0;
};

namespace
{

using detail::window_row;

// Reads the rows of `s` (the columns above), pricing each, into `add`.
template <class Add>
std::size_t read_rows(store::connection& db, store::statement& s, std::int64_t& last_id, Add add)
{
    std::optional<pricing::price_table> table;
    std::optional<store::rate_memo> prices;
    std::size_t n = 0;
    while (s.step())
    {
        if (!prices)
            prices.emplace(db, table.emplace(store::load_price_table(db)));
        ++n;
        last_id = std::max(last_id, s.int64(0));
        auto status = s.opt_int64(6);
        std::int64_t cost[5];
        for (int i = 0; i < 5; ++i)
            cost[i] = s.int64(8 + i);
        const std::int64_t billing = s.int64(13) != 0 ? s.int64(13) : s.int64(14);
        add(window_row{
            s.int64(1) / ns_per_ms,
            s.int64(2),
            s.int64(3),
            s.int64(4),
            s.int64(5) != 0,
            status ? static_cast<int>(*status) : 0,
            s.opt_int64(7),
            prices->event_usd(s.int64(2), billing, s.int64(15), cost)});
    }
    return n;
}

// The spend of the events stored at or after `start_ms` (any later time, future-dated ones too),
// from the analytics' rollups and projections: the same prices, no read of a month of events.
spend spend_since(store::connection& db, std::int64_t start_ms, std::int64_t now_ms)
{
    analytics::monitoring_query q;
    q.from_ms = start_ms;
    q.to_ms = std::max(now_ms, start_ms) + 400 * std::int64_t{86'400'000};
    q.now_ms = now_ms;
    q.include.summary = true;
    q.include.model_stats = true;
    q.include.api_key_stats = true;
    const auto r = analytics::run_monitoring(db, q);
    spend out;
    out.all = r.summary ? r.summary->totals.cost : 0;
    for (const auto& m : r.model_stats.value_or(std::vector<analytics::model_row>{}))
        out.by_model[store::find_dim(db, store::dim_kind::model, m.model).value_or(-1)] += m.totals.cost;
    for (const auto& k : r.api_key_stats.value_or(std::vector<analytics::api_key_row>{}))
        out.by_api_key[store::find_dim(db, store::dim_kind::api_key_hash, k.api_key_hash).value_or(-1)] +=
            k.totals.cost;
    return out;
}

} // namespace

bool usage_window::rebuild(store::connection& db, const shape& sh, std::int64_t now_ms)
{
    std::lock_guard lock(mutex_);
    if (ready_ || rebuild_to_id_ == 0)
    {
        // A fresh start: forget, then in one snapshot note the newest event and take each budget
        // period's spend so far from the analytics; the events of the longest window are read
        // back below (they add no spend: the snapshot holds it), later ones by fold_new.
        shape_ = sh;
        ready_ = false;
        minutes_.clear();
        trailing_.clear();
        spend_ = {};
        newest_ms_ = 0;
        store::read_transaction snapshot(db);
        auto s = db.prepare("SELECT coalesce(max(id), 0) FROM events");
        s.step();
        rebuild_to_id_ = std::max<std::int64_t>(s.int64(0), 1);
        last_id_ = s.int64(0);
        for (std::size_t p = 0; p < budget_period_count; ++p)
            if (sh.period_start[p])
                spend_[p] = spend_since(db, *sh.period_start[p], now_ms);
        rebuild_cursor_ns_ = (now_ms - std::int64_t{sh.minutes} * ms_per_minute) * ns_per_ms;
    }
    // One slice of event time; the last one reaches past any clock skew.
    const std::int64_t end_ns = rebuild_cursor_ns_ >= now_ms * ns_per_ms
                                    ? std::numeric_limits<std::int64_t>::max()
                                    : rebuild_cursor_ns_ + rebuild_slice_ns;
    auto s =
        db.prepare(std::string(columns) + "WHERE ts_ns >= ?1 AND ts_ns < ?2 AND id <= ?3 ORDER BY ts_ns");
    s.bind(1, rebuild_cursor_ns_).bind(2, end_ns).bind(3, rebuild_to_id_);
    std::int64_t ignored = 0;
    read_rows(db, s, ignored, [&](const window_row& r) { add(r, now_ms, false); });
    if (end_ns != std::numeric_limits<std::int64_t>::max())
    {
        rebuild_cursor_ns_ = end_ns;
        return false;
    }
    ready_ = true;
    rebuild_to_id_ = 0;
    prune(now_ms);
    return true;
}

std::size_t usage_window::fold_new(store::connection& db, std::int64_t now_ms, std::size_t limit)
{
    std::int64_t from_id = 0;
    {
        std::lock_guard lock(mutex_);
        if (!ready_)
            return 0;
        from_id = last_id_;
    }
    auto s = db.prepare(std::string(columns) + "WHERE id > ?1 ORDER BY id LIMIT ?2");
    s.bind(1, from_id).bind(2, static_cast<std::int64_t>(limit));
    std::vector<window_row> rows;
    std::int64_t last_id = from_id;
    read_rows(db, s, last_id, [&](const window_row& r) { rows.push_back(r); });
    std::lock_guard lock(mutex_);
    for (const auto& r : rows)
        add(r, now_ms, true);
    last_id_ = last_id;
    prune(now_ms);
    return rows.size();
}

void usage_window::add(const window_row& r, std::int64_t now_ms, bool count_spend)
{
    newest_ms_ = std::max(newest_ms_, r.ts_ms);
    if (r.failed)
    {
        auto& t = trailing_[r.auth_index];
        t.push_back(r.status);
        if (t.size() > max_trailing)
            t.erase(t.begin());
    }
    else
        trailing_.erase(r.auth_index);

    for (std::size_t p = 0; p < budget_period_count && count_spend; ++p)
        if (shape_.period_start[p] && r.ts_ms >= *shape_.period_start[p])
        {
            spend_[p].all += r.usd;
            spend_[p].by_api_key[r.api_key] += r.usd;
            spend_[p].by_model[r.model] += r.usd;
        }

    const std::int64_t minute = floor_div(r.ts_ms, ms_per_minute);
    if (minute < floor_div(now_ms, ms_per_minute) - shape_.minutes)
        return; // older than any window
    auto& b = minutes_[minute];
    auto bump = [&](request_counts& c)
    {
        ++c.requests;
        c.failures += r.failed ? 1 : 0;
    };
    bump(b.counts.all);
    bump(b.counts.by_credential[r.auth_index]);
    if (r.latency_ms)
    {
        b.latency.add(*r.latency_ms);
        b.latency_by_model[r.model].add(*r.latency_ms);
    }
}

void usage_window::prune(std::int64_t now_ms)
{
    const std::int64_t oldest = floor_div(now_ms, ms_per_minute) - shape_.minutes;
    minutes_.erase(minutes_.begin(), minutes_.lower_bound(oldest));
}

void usage_window::roll_period(budget_period p, std::int64_t start_ms)
{
    std::lock_guard lock(mutex_);
    const auto i = static_cast<std::size_t>(p);
    shape_.period_start[i] = start_ms;
    spend_[i] = {};
}

bool usage_window::ready() const
{
    std::lock_guard lock(mutex_);
    return ready_;
}

std::optional<std::int64_t> usage_window::period_start(budget_period p) const
{
    std::lock_guard lock(mutex_);
    return shape_.period_start[static_cast<std::size_t>(p)];
}

namespace
{

// The buckets of the last `minutes` whole and current minutes: [now - minutes, now].
template <class Map>
auto window_range(const Map& m, int minutes, std::int64_t now_ms)
{
    const std::int64_t now_minute = floor_div(now_ms, ms_per_minute);
    return std::pair{m.lower_bound(now_minute - minutes + 1), m.upper_bound(now_minute)};
}

} // namespace

window_counts usage_window::counts(int minutes, std::int64_t now_ms) const
{
    std::lock_guard lock(mutex_);
    window_counts out;
    auto [first, last] = window_range(minutes_, minutes, now_ms);
    for (auto it = first; it != last; ++it)
    {
        out.all.requests += it->second.counts.all.requests;
        out.all.failures += it->second.counts.all.failures;
        for (const auto& [cred, c] : it->second.counts.by_credential)
        {
            auto& into = out.by_credential[cred];
            into.requests += c.requests;
            into.failures += c.failures;
        }
    }
    return out;
}

store::dense_histogram usage_window::latency(int minutes, std::int64_t now_ms, std::int64_t model) const
{
    std::lock_guard lock(mutex_);
    store::dense_histogram out;
    auto [first, last] = window_range(minutes_, minutes, now_ms);
    for (auto it = first; it != last; ++it)
    {
        const store::latency_histogram* h = &it->second.latency;
        if (model != 0)
        {
            auto m = it->second.latency_by_model.find(model);
            if (m == it->second.latency_by_model.end())
                continue;
            h = &m->second;
        }
        out.add_encoded(h->encode());
    }
    return out;
}

std::map<std::int64_t, std::vector<int>> usage_window::trailing_failures() const
{
    std::lock_guard lock(mutex_);
    return trailing_;
}

spend usage_window::period_spend(budget_period p) const
{
    std::lock_guard lock(mutex_);
    return spend_[static_cast<std::size_t>(p)];
}

std::int64_t usage_window::newest_event_ms() const
{
    std::lock_guard lock(mutex_);
    return newest_ms_;
}

} // namespace cpamd::alerts
