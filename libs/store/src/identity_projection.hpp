#pragma once

// Builds identity rows (identity_rows.hpp): those of one ended day or hour from its events, or
// those of a block from its halves' rows; add() each, then write() in the projecting transaction.

#include <array>
#include <cpamd/store/identity_rows.hpp>
#include <map>
#include <optional>
#include <span>
#include <string_view>

namespace cpamd::store
{

// The identity columns of the identity tables after the period, in key order (named as the
// events'), and their count.
inline constexpr const char* identity_columns =
    "api_key, auth_index, source, source_hash, auth_file_snapshot, account_snapshot, auth_label_snapshot, "
    "auth_provider_snapshot, auth_project_id_snapshot, provider, endpoint, model, failed";
inline constexpr std::size_t identity_count = 13;
// The columns after the identity, in the order identity_row holds them.
inline constexpr const char* identity_value_columns =
    "billing_model, service_tier, context_floor, calls, input_tokens, output_tokens, reasoning_tokens, "
    "cached_tokens, cache_tokens, cache_read_tokens, cache_creation_tokens, total_tokens, cost_uncached, "
    "cost_cache_read, cost_cache_write, cost_output, cost_reasoning, latency_samples, latency_sum, "
    "zero_token_calls, last_seen_ns, last_event_id, first_seen_ns";

// The table and period column of `grain`.
std::string_view identity_table(identity_grain grain);
std::string_view identity_period_column(identity_grain grain);

class identity_projection
{
public:
    struct event_fields
    {
        std::array<std::int64_t, identity_count> identity{}; // as identity_columns: failed last
        std::int64_t billing_model = 0, service_tier = 0, context_floor = 0;
        const std::int64_t* tokens = nullptr; // the 8 counters
        const std::int64_t* cost = nullptr;   // the 5 canonical cost buckets
        std::optional<std::int64_t> latency_ms;
        std::int64_t ts_ns = 0, id = 0;
    };
    void add(const event_fields& e);
    void add(const identity_row& r);

    // Replaces the rows of `period` in the grain's table with these sums.
    void write(connection& db, identity_grain grain, std::int64_t period) const;
    void write(connection& db, identity_block b) const;

private:
    using row_key = std::array<std::int64_t, identity_count + 3>; // + billing model, tier, band
    struct sums
    {
        std::int64_t calls = 0;
        std::int64_t tokens[8] = {};
        std::int64_t cost[5] = {};
        std::int64_t latency_samples = 0, latency_sum = 0, zero_token_calls = 0;
        std::int64_t last_seen_ns = 0, last_event_id = 0, first_seen_ns = 0;
    };
    // Adds `in` (one event's sums, or a row's) to the row of `k`.
    void merge(const row_key& k, const sums& in);
    void write_rows(
        connection& db,
        std::string_view table,
        std::span<const std::string_view> key_columns,
        std::span<const std::int64_t> key_values
    ) const;

    std::map<row_key, sums> rows_;
};

// After day `d` was projected: makes each block that holds it once both its halves are there,
// from the smallest level up.
void make_identity_blocks(connection& db, std::int64_t d);

// Deletes the blocks that hold any of the days [first_day, end_day) (their days changed).
void delete_identity_blocks(connection& db, std::int64_t first_day, std::int64_t end_day);

// Deletes the identity rows of the hours [first_hour, end_hour).
void delete_identity_hour_rows(connection& db, std::int64_t first_hour, std::int64_t end_hour);

// Deletes the identity rows of the hours before `first_kept_hour` and clears their marks.
void prune_identity_hours(connection& db, std::int64_t first_kept_hour);

} // namespace cpamd::store
