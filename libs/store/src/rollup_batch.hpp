#pragma once

// The hourly rollup's key and sums, and the accumulator that adds events (and deferred deltas)
// per key before the writer folds them into rollup_hour.

#include <cpamd/store/sqlite.hpp>
#include <cpamd/usage/event.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cpamd::store
{

// rollup_hour's primary key, in its column order (so the defaulted ordering is the table's).
// The last three are what cost needs (migration v4): the model ids are dim ids. No API key
// since v6: nothing live reads it per hour, and it tripled the rows (the monitoring routes get
// keys from the projections and raw events).
struct rollup_key
{
    std::int64_t hour = 0;
    std::int64_t model = 0;
    std::int64_t provider = 0;
    std::int64_t auth_index = 0;
    std::int64_t endpoint = 0;
    int failed = 0;
    std::int64_t billing_model = 0; // response_model, else resolved_model
    std::int64_t service_tier = 0;  // the effective tier
    std::int64_t context_floor = 0; // pricing::context_band_floor of the input among the thresholds

    friend auto operator<=>(const rollup_key&, const rollup_key&) = default;
};

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

// One rollup_hour row: ?1-?6 and ?26-?28 the key, ?7 calls, ?8-?15 tokens, ?16-?20 cost buckets,
// ?21-?24 latency and TTFT counters, ?25 the encoded latency histogram (bind_rollup_row).
inline constexpr const char* insert_rollup_sql = R"sql(
INSERT INTO rollup_hour (hour, model, provider, auth_index, endpoint, failed, billing_model, service_tier,
    context_floor, calls, input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens,
    cache_read_tokens, cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write,
    cost_output, cost_reasoning, latency_count, latency_sum, ttft_count, ttft_sum, latency_hist)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?26, ?27, ?28, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
        ?20, ?21, ?22, ?23, ?24, ?25)
)sql";

// Binds every parameter of insert_rollup_sql (and of statements numbered like it).
void bind_rollup_row(statement& s, const rollup_key& k, const rollup_sums& r, std::string_view hist);

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
