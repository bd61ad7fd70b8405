#pragma once

// Projections (docs/storage.md, "Projections"): aggregates of the raw events that answer the
// analytics questions the hourly rollup's full key makes slow, made after the fact by the
// writer, per closed UTC hour:
//  * proj_model_hour: hour × model × provider × endpoint × failed × billing model × service tier
//    × context band, with zero-token calls and latency and TTFT histograms (samples > 0 ms);
//  * proj_hours: the projected hours, with their approximate tasks (events of one instant
//    grouped by source hash and auth index; a task fails when any of its events failed); a
//    task wholly inside one proj_model_hour row is counted in the row's `tasks`, one that spans
//    rows has an entry per row in proj_task_span (rare: it takes two events of one instant and
//    credential that differ in model, endpoint or outcome), so filtered tasks stay exact;
//  * proj_key_hour: calls per hour × API key (the heatmap's top keys);
//  * proj_identity_day, per ended UTC day, and proj_identity_hour, per ended UTC hour of the last
//    two days: every identity a filter or a group can name (identity_rows.hpp).
// An hour (day) is served from them only while it is in proj_hours (proj_days). Every change to
// an hour's events (a batch, an import, retention) takes the hour and its day out in the same
// transaction and queues them in proj_todo and proj_day_todo; the writer projects queued hours
// and days that have ended, newest first, in bounded steps. So a projected hour or day always
// holds exactly the sums of its events.

#include <cpamd/store/identity_rows.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <functional>
#include <set>
#include <span>
#include <string_view>
#include <vector>

namespace cpamd::store
{

// Takes `hours` (UTC hour numbers) out of the projections and queues them. Call in the
// transaction that changes their events.
void invalidate_projected_hours(connection& db, std::span<const std::int64_t> hours);
// The same for every projected hour of [first_hour, end_hour) (retention).
void invalidate_projected_hours_between(connection& db, std::int64_t first_hour, std::int64_t end_hour);
// After a change of the context thresholds: every projected hour is queued again.
void invalidate_all_projections(connection& db);

// One bounded step: projects queued hours before `now_hour`, then queued days before its day,
// newest first, until `max_events` events were read. `thresholds` are the current context
// thresholds. Returns true while queued hours or days that have ended remain. Call on the
// writer inside a transaction.
bool project_step(
    connection& db, std::int64_t now_hour, std::span<const std::int64_t> thresholds, std::int64_t max_events
);

// Queued hours (for /status and tests).
std::int64_t queued_projection_hours(connection& db);

struct projected_hour
{
    std::int64_t hour = 0;
    std::int64_t tasks = 0, failed_tasks = 0;
    std::int64_t price_epoch = -1; // of its usage rows (usage_rows.hpp)
    bool identity_rows = false;    // proj_identity_hour holds its rows (identity_rows.hpp)
};

// The projected hours of [first_hour, end_hour), oldest first.
std::vector<projected_hour> projected_hours(connection& db, std::int64_t first_hour, std::int64_t end_hour);

struct model_hour_row
{
    std::int64_t hour = 0;
    // dim ids
    std::int64_t model = 0, provider = 0, endpoint = 0;
    bool failed = false;
    std::int64_t billing_model = 0, service_tier = 0, context_floor = 0;
    std::int64_t calls = 0;
    // input, output, reasoning, cached, cache, cache_read, cache_creation, total
    std::int64_t tokens[8] = {};
    // canonical cost buckets: uncached input, cache read, cache write, output, reasoning
    std::int64_t cost[5] = {};
    std::int64_t latency_samples = 0, latency_sum = 0; // samples > 0 ms
    std::int64_t ttft_samples = 0, ttft_sum = 0;
    std::int64_t zero_token_calls = 0;        // successful calls with total_tokens = 0
    std::int64_t last_seen_ns = 0;            // the newest event
    std::int64_t tasks = 0;                   // approximate tasks wholly in this row
    std::string_view latency_hist, ttft_hist; // encoded latency_histogram; valid during the call
};

// Every proj_model_hour row of [first_hour, end_hour) that `extra_sql` (" AND (...)" over its
// key columns, or "") keeps, oldest hour first. Only hours projected_hours() lists have rows. Run inside a
// read transaction, with projected_hours(), for one snapshot.
void for_each_model_hour_row(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    std::string_view extra_sql,
    const std::function<void(const model_hour_row&)>& f
);

// A column model_hour_total sums.
enum class model_hour_column
{
    calls,
    zero_token_calls
};

// One column of the proj_model_hour rows of [first_hour, end_hour) that `extra_sql` keeps, summed
// by SQLite: for a total, nothing is read out row by row.
std::int64_t model_hour_total(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    model_hour_column column,
    std::string_view extra_sql = ""
);

// The calls of each proj_model_hour row of [first_hour, end_hour): f(model, provider, calls).
void for_each_model_hour_calls(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(std::int64_t model, std::int64_t provider, std::int64_t calls)>& f
);

struct key_hour_row
{
    std::int64_t hour = 0, api_key = 0, calls = 0;
};
// Every proj_key_hour row of [first_hour, end_hour), oldest hour first (same snapshot rules as
// for_each_model_hour_row).
void for_each_key_hour_row(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(const key_hour_row&)>& f
);

// The approximate tasks of [first_hour, end_hour) that span several proj_model_hour rows and have
// an entry that `extra_sql` (as for_each_model_hour_row) keeps: each counted once, and as failed
// when a kept entry is a failed row. Added to the kept rows' own `tasks`, this is the count of
// tasks among the kept rows' events.
struct span_task_counts
{
    std::int64_t tasks = 0, failed = 0;
};
span_task_counts
count_span_tasks(connection& db, std::int64_t first_hour, std::int64_t end_hour, std::string_view extra_sql);

// The projected days (UTC day numbers) of [first_day, end_day), oldest first.
std::vector<std::int64_t> projected_days(connection& db, std::int64_t first_day, std::int64_t end_day);

} // namespace cpamd::store
