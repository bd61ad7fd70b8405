#pragma once

// All-time usage of the stored events by model, by credential and by API key: the usage series
// of /metrics (docs/monitoring.md). Counted from the store, not tallied as requests pass: after a
// start, fold() reads every stored event once, in chunks by event id; later calls read only the
// events stored since the last one. Each event is priced when it is first counted (a counter
// must not move back when a price changes; the panel reprices history instead).
//
// Event ids grow with every commit (one writer) and are never handed out twice (retention keeps
// the largest id, store/maintenance.cpp), so "id above the last folded one" is exactly the events
// stored since. Thread-safe: folds are serialised, snapshots may run beside them.

#include <array>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace cpamd::analytics
{

// Latency and TTFT histogram bounds, in seconds (the last bucket holds what is above them all).
inline constexpr std::array<double, 11> usage_seconds_bounds{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

// The failure classes of a failed request's HTTP status: 4xx, 5xx, anything else (or none).
inline constexpr std::array<const char*, 3> usage_status_classes{"4xx", "5xx", "other"};

// The token classes counted: input, output, reasoning, cached, cache_read, cache_creation, total.
inline constexpr std::array<const char*, 7> usage_token_types{
    "input", "output", "reasoning", "cached", "cache_read", "cache_creation", "total"};

struct usage_sums
{
    std::int64_t requests = 0;
    std::array<std::int64_t, usage_status_classes.size()> failures{};
    std::array<std::int64_t, usage_token_types.size()> tokens{};
    double usd = 0;

    void merge(const usage_sums& o);
};

struct seconds_histogram
{
    std::array<std::uint64_t, usage_seconds_bounds.size() + 1> counts{};
    double sum = 0;

    void add(double seconds);
    void merge(const seconds_histogram& o);
};

// One series' labels and sums, label values resolved for display (never a secret, never a full
// key hash). The rest of a family past its top N is one series labelled "other".
struct model_usage_series
{
    std::string model, provider;
    usage_sums sums;
    seconds_histogram latency, ttft;
};
struct credential_usage_series
{
    std::string auth_index, credential; // credential: the masked source (email, label)
    usage_sums sums;
};
struct api_key_usage_series
{
    std::string api_key, alias; // api_key: the first characters of the key's hash
    usage_sums sums;
};

struct usage_snapshot
{
    bool ready = false;            // every event stored before the first fold is counted
    double last_event_seconds = 0; // event time of the newest event counted (0: none)
    std::vector<model_usage_series> models;
    std::vector<credential_usage_series> credentials;
    std::vector<api_key_usage_series> api_keys;
};

// The characters of a key hash shown in labels: enough to tell keys apart, too few to be the hash.
inline constexpr std::size_t api_key_label_chars = 12;

class usage_counters
{
public:
    // Counts up to `limit` events stored after the last one counted; returns how many. The first
    // call that finds fewer than `limit` marks the counters ready.
    std::size_t fold(store::connection& db, std::size_t limit);

    bool ready() const;

    // The series of each family, most requests first, the top `top_n` kept and the rest summed
    // into one "other" series.
    usage_snapshot snapshot(store::connection& db, std::size_t top_n) const;

private:
    struct credential_sums
    {
        usage_sums sums;
        std::int64_t source = 0; // dim id of the newest source seen (masked at collection)
    };
    struct model_sums
    {
        usage_sums sums;
        seconds_histogram latency, ttft;
    };

    std::mutex fold_mutex_;    // one fold at a time: each reads from where the last ended
    mutable std::mutex mutex_; // the sums below
    std::int64_t last_id_ = 0;
    std::int64_t last_ts_ns_ = 0;
    bool ready_ = false;
    std::map<std::pair<std::int64_t, std::int64_t>, model_sums> models_; // (model, provider) dim ids
    std::map<std::int64_t, credential_sums> credentials_;                // auth_index dim id
    std::map<std::int64_t, usage_sums> api_keys_;                        // api_key dim id
};

} // namespace cpamd::analytics
