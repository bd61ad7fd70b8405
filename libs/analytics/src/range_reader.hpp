#pragma once

// The events of a range for the monitoring routes, from the projections where they can answer
// (store/projections.hpp) and raw elsewhere, oldest first. A projected hour is read as rows when
// it lies wholly inside the range, has been projected, and lies in one timeline bucket and one
// local hour (so bucketing it whole is exact); every other instant comes raw.

#include "event_scan.hpp"

#include <cpamd/analytics/local_time.hpp>
#include <cpamd/analytics/monitoring_query.hpp>
#include <cpamd/store/projections.hpp>
#include <cpamd/store/rate_memo.hpp>
#include <cpamd/store/usage_rows.hpp>
#include <functional>
#include <optional>
#include <set>
#include <span>

namespace cpamd::analytics
{

// A filter over proj_model_hour rows: the part of a monitoring_filter its dims can answer.
struct model_hour_filter
{
    std::optional<std::set<std::int64_t>> models, endpoints; // dim ids; nullopt: any
    bool successes = true, failures = true;

    // " AND ..." over proj_model_hour's columns, for store::for_each_model_hour_row: SQLite skips
    // the other rows without handing their 30 columns over.
    std::string sql() const;
};

// The row filter equal to `f`, or nullopt when `f` names anything the rows do not hold
// (search, accounts, keys, credentials, headers, latency, cache status, providers: a provider
// filter also matches the auth provider snapshot).
std::optional<model_hour_filter> model_hour_filter_of(store::connection& db, const monitoring_filter& f);

// Whether the usage rows of each kind (store/usage_rows.hpp) answer every condition of `f`: the
// API key rows a filter by API key and outcome only, the credential rows one by provider,
// account, credential, auth file or index, source hash, project and outcome only.
struct usage_answer
{
    bool api_key = false, credential = false;
};
usage_answer usage_rows_answer(const monitoring_filter& f);

// The projected hourly rows a read takes where they can answer: model rows kept by `model`, or
// the usage rows of kind `usage` kept by the compiled filter itself (hours priced with the
// current prices only). Neither: raw.
struct hour_rows
{
    std::optional<model_hour_filter> model;
    std::optional<store::usage_kind> usage;
};

struct range_consumer
{
    std::function<void(const scan_row&)> event;
    std::function<void(const store::model_hour_row&, double usd)> row;
    // The approximate tasks (and failed ones) among the kept rows of each run of projected hours.
    std::function<void(std::int64_t tasks, std::int64_t failed)> tasks;
    // Calls per API key of each projected hour read (proj_key_hour); unset: not read. The rows
    // are not filtered: only for a filter that keeps every event.
    std::function<void(const store::key_hour_row&)> key_row = {};
    // Set: events are only counted, not read: the raw parts by count_events, the projected hours
    // by summing their rows' calls in SQL; `event`, `row` and `tasks` are not called.
    std::function<void(std::int64_t events)> raw_count = {};
    // Each usage row read (hour_rows::usage), instead of `row`.
    std::function<void(const store::usage_hour_row&)> usage_row = {};
};

struct bucketing
{
    std::span<const bucket> buckets; // empty: no timeline
    bool local_hours = false;        // the hourly distribution or active days are asked
    const zone* time_zone = nullptr;
};

// The projected hours wholly inside [from_ms, to_ms) that `b` lets a read take whole, oldest
// first; with `usage_rows`, only those whose usage rows carry the current prices.
std::vector<std::int64_t> usable_hours(
    store::connection& db, std::int64_t from_ms, std::int64_t to_ms, const bucketing& b, bool usage_rows
);

// Reads [from_ms, to_ms): projected hours (when `rows` names some) as rows, the rest raw through
// `where`. Run inside a read transaction.
void read_range(
    store::connection& db,
    store::rate_memo& prices,
    const event_where& where,
    const hour_rows& rows,
    std::int64_t from_ms,
    std::int64_t to_ms,
    const bucketing& b,
    const range_consumer& to
);

// Whether every condition of `f` holds on proj_identity_day's columns (named as the events',
// so the compiled filter's SQL reads them as it is): no search, latency, cache or header filter.
bool identity_rows_answer(const monitoring_filter& f);

struct identity_consumer
{
    std::function<void(const scan_row&)> event;
    std::function<void(const store::identity_row&, double usd)> row; // a day's or an hour's
    // As range_consumer::raw_count.
    std::function<void(std::int64_t events)> raw_count = {};
};

// Reads [from_ms, to_ms) for the sections grouped by identity: when `use_rows`, every whole UTC
// day projected and, between them, every whole UTC hour with identity rows (the last two days:
// store/identity_rows.hpp) as rows that `where` keeps; the rest raw through `where`. Not in time order
// across days and edges: those sections only sum. Run inside a read transaction.
void read_identity_range(
    store::connection& db,
    store::rate_memo& prices,
    const event_where& where,
    bool use_rows,
    std::int64_t from_ms,
    std::int64_t to_ms,
    const identity_consumer& to
);

} // namespace cpamd::analytics
