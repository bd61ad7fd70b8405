#pragma once

// The hourly rollup's key and sums, and the accumulator that adds events (and deferred deltas)
// per key before the writer folds them into rollup_hour.

#include <cpamd/usage/event.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace cpamd::store
{

// (hour, model, provider, auth index, API key, endpoint, failed): rollup_hour's primary key.
using rollup_key =
    std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t, int>;

struct rollup_key_hash
{
    std::size_t operator()(const rollup_key& k) const noexcept;
};

struct rollup_sums
{
    std::int64_t calls = 0;
    // input, output, reasoning, cached, cache, cache_read, cache_creation, total
    std::int64_t tokens[8] = {};
    // uncached input, cache read, cache write, output, reasoning
    std::int64_t cost[5] = {};
    std::int64_t latency_count = 0, latency_sum = 0, ttft_count = 0, ttft_sum = 0;

    void add(const usage::event& ev);
    rollup_sums& operator+=(const rollup_sums& o);
};

// Sums per distinct key. Kept from batch to batch so that a warm writer does not allocate per
// key; one bigger than max_kept keys or latencies (an import, a fold) gives its memory back
// on clear().
class rollup_batch
{
public:
    void add(const rollup_key& key, const usage::event& ev);
    // Adds sums already folded per key (a deferred delta), with their encoded latency histogram.
    void add(const rollup_key& key, const rollup_sums& sums, std::string_view latency_hist);

    // Calls f(key, sums, encoded latency histogram) once per key, in key order: the order of
    // rollup_hour's primary key, so its rows are visited front to back.
    template <class F>
    void for_each_in_key_order(F&& f)
    {
        sort_by_key();
        std::string hist;
        for (auto slot : order_)
        {
            histogram_of(slot, hist);
            f(keys_[slot], sums_[slot], hist);
        }
    }

    bool empty() const { return keys_.empty(); }
    void clear();

private:
    static constexpr std::size_t max_kept = 1 << 14;

    std::uint32_t slot_of(const rollup_key& key);
    void sort_by_key();
    void histogram_of(std::uint32_t slot, std::string& out) const;

    std::unordered_map<rollup_key, std::uint32_t, rollup_key_hash> slot_of_;
    std::vector<rollup_key> keys_;
    std::vector<rollup_sums> sums_;
    std::vector<std::uint64_t> latencies_; // (slot << 32) | bucket, one per event with a latency
    std::vector<std::string> delta_hists_; // per slot: the merged histograms of added deltas
    // Scratch space of for_each_in_key_order.
    std::vector<std::uint32_t> order_;
    std::vector<std::size_t> first_latency_;
    std::vector<int> buckets_;
};

} // namespace cpamd::store
