#pragma once

// What the alert rules read: the last minutes of traffic in one-minute buckets (requests and
// failures overall and per credential, latency histograms overall and per model), each
// credential's trailing run of failed statuses, and the spend of the current day, week and
// month (overall, per API key, per model).
//
// Fed from the store like /metrics' usage counters (analytics/usage_counters.hpp): each event is
// read once, when it is stored (ids above the last read). After a start or a change of the rules,
// rebuild() takes each budget period's spend so far from the analytics (rollups and projections,
// as the usage routes answer it) and reads back only the events of the longest window (by time,
// through the events' time index).
// Thread-safe: folds and reads may come from any reader thread.

#include <array>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace cpamd::alerts
{

namespace detail
{
struct window_row; // one event, as the window reads it (usage_window.cpp)
} // namespace detail

enum class budget_period
{
    day,
    week,
    month
};
inline constexpr std::size_t budget_period_count = 3;

struct request_counts
{
    std::int64_t requests = 0;
    std::int64_t failures = 0;
};

struct spend
{
    double all = 0;
    std::map<std::int64_t, double> by_api_key; // api_key dim id
    std::map<std::int64_t, double> by_model;   // model dim id
};

struct window_counts
{
    request_counts all;
    std::map<std::int64_t, request_counts> by_credential; // auth_index dim id
};

class usage_window
{
public:
    // What to keep: `minutes` of buckets, and for each period its current start (UTC ms; nullopt
    // when no rule reads it).
    struct shape
    {
        int minutes = 0;
        std::array<std::optional<std::int64_t>, budget_period_count> period_start;
    };

    // Forgets everything, then reads the events the shape covers that are stored now, and from
    // then on the events stored after them. Runs in steps of an hour of event time (one reader
    // call each); returns false while more is left (call again), true when done.
    bool rebuild(store::connection& db, const shape& s, std::int64_t now_ms);
    // Reads up to `limit` events stored since the last read; returns how many.
    std::size_t fold_new(store::connection& db, std::int64_t now_ms, std::size_t limit);
    // A period moved on (the engine's clock crossed its end): its spend starts from zero.
    void roll_period(budget_period p, std::int64_t start_ms);

    bool ready() const;
    std::optional<std::int64_t> period_start(budget_period p) const;
    window_counts counts(int minutes, std::int64_t now_ms) const;
    // Latency of the requests in the last `minutes` (of `model`'s, or all when 0), in ms.
    store::dense_histogram latency(int minutes, std::int64_t now_ms, std::int64_t model) const;
    // Each credential's trailing failed statuses (0 for a failure without one), oldest first; a
    // success clears them. At most `max_trailing` are kept.
    std::map<std::int64_t, std::vector<int>> trailing_failures() const;
    spend period_spend(budget_period p) const;
    std::int64_t newest_event_ms() const;

    static constexpr std::size_t max_trailing = 100;

private:
    struct minute_bucket
    {
        window_counts counts;
        store::latency_histogram latency;
        std::map<std::int64_t, store::latency_histogram> latency_by_model;
    };
    void add(const detail::window_row& r, std::int64_t now_ms, bool count_spend);
    void prune(std::int64_t now_ms);

    mutable std::mutex mutex_;
    shape shape_;
    bool ready_ = false;
    std::int64_t last_id_ = 0;           // the newest event read
    std::int64_t rebuild_to_id_ = 0;     // while rebuilding: the newest event it covers
    std::int64_t rebuild_cursor_ns_ = 0; // while rebuilding: where the next slice of event time begins
    std::int64_t newest_ms_ = 0;
    std::map<std::int64_t, minute_bucket> minutes_; // by UTC minute since the epoch
    std::map<std::int64_t, std::vector<int>> trailing_;
    std::array<spend, budget_period_count> spend_;
};

} // namespace cpamd::alerts
