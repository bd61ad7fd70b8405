#pragma once

// proj_usage_hour (projections.hpp): per closed UTC hour, the usage of each API key (kind
// api_key) and of each credential (kind credential: auth index, file, source hash and the
// account, label, provider and project snapshots, with the event's provider), by outcome. Their
// columns are named as the events', so a compiled monitoring filter that names only those
// columns reads them as it is. The cost is priced when the hour is projected, with the prices
// of that moment: a price change bumps the price epoch (price_repository.cpp) and queues every
// projected hour again, and an hour's usage rows are only read while its epoch is current.

#include <cpamd/store/projections.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

namespace cpamd::store
{

enum class usage_kind : std::int64_t
{
    api_key = 1,
    credential = 2,
};

struct usage_hour_row
{
    std::int64_t hour = 0;
    // dim ids, named as the events' columns; 0 where the kind does not key on them
    std::int64_t api_key = 0, auth_index = 0, auth_file_snapshot = 0, source_hash = 0, source = 0,
                 account_snapshot = 0, auth_label_snapshot = 0, auth_provider_snapshot = 0,
                 auth_project_id_snapshot = 0, provider = 0;
    bool failed = false;
    std::int64_t calls = 0;
    std::int64_t tokens[8] = {};       // as model_hour_row
    std::int64_t normalized_input = 0; // the canonical input buckets: uncached, cache read, cache write
    std::int64_t cost_cache_read = 0;  // the canonical cache-read bucket
    double usd = 0;                    // priced when projected
    std::int64_t latency_samples = 0, latency_sum = 0, ttft_samples = 0, ttft_sum = 0; // samples > 0 ms
    std::int64_t zero_token_calls = 0, last_seen_ns = 0, tasks = 0;
    std::string_view latency_hist, ttft_hist; // valid during the call
};

// Every usage row of `kind` in [first_hour, end_hour) that `extra_sql` (" AND (...)" over the
// columns above, or "") keeps, oldest hour first. Read only hours whose price_epoch (in
// projected_hours()) is current_price_epoch(), in the same read transaction.
void for_each_usage_hour_row(
    connection& db,
    usage_kind kind,
    std::int64_t first_hour,
    std::int64_t end_hour,
    std::string_view extra_sql,
    const std::function<void(const usage_hour_row&)>& f
);

// The calls of each usage row of `kind` in [first_hour, end_hour) with the values of `columns`
// (SQL expressions over its columns): f(values, calls). Summing them is the caller's: SQLite's
// GROUP BY sorts the rows, which costs more than summing them into a small map.
void for_each_usage_calls(
    connection& db,
    usage_kind kind,
    std::span<const std::string_view> columns,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(std::span<const std::int64_t> values, std::int64_t calls)>& f
);

// As count_span_tasks, over the usage rows of `kind`.
span_task_counts count_usage_span_tasks(
    connection& db,
    usage_kind kind,
    std::int64_t first_hour,
    std::int64_t end_hour,
    std::string_view extra_sql
);

// The epoch of the current prices.
std::int64_t current_price_epoch(connection& db);

// After any change of the prices, in the same transaction: a new epoch, and every projected hour
// queued to be priced again (its other projections stay served meanwhile).
void prices_changed(connection& db);

} // namespace cpamd::store
