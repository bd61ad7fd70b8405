#pragma once

// The raw side of the monitoring routes: a monitoring_filter as SQL over `events`, and the
// filtered events of a range, one row each, priced.

#include <cpamd/analytics/monitoring_query.hpp>
#include <cpamd/store/dims.hpp>
#include <cpamd/store/rate_memo.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::analytics
{

// The dim ids of `values` in one kind; "" is id 0 (absent). Unknown values have no id.
std::set<std::int64_t>
dim_ids(store::connection& db, store::dim_kind kind, const std::vector<std::string>& values);

// "(1,2,3)" for SQL
std::string sql_id_list(const std::set<std::int64_t>& ids);

// The widest range scan_events takes: every instant the store can hold.
inline constexpr std::int64_t all_time_from_ms = -9'000'000'000'000;
inline constexpr std::int64_t all_time_to_ms = 9'000'000'000'000;

// Which parts of a filter apply: all of it, only the search (filter_options' base scope), or
// none (filter_selectors).
enum class filter_scope
{
    all,
    search_only,
    none,
};

// A filter compiled against the dim table: conditions on the interned ids, so the scan compares
// integers. Text that is not interned (request id, failure summary, trace id) is matched in SQL.
struct event_where
{
    std::string sql;              // "" or " AND (...) AND (...)", over the columns of `events`
    std::string search_text;      // bound as :q when sql mentions it (the lowercased search)
    bool matches_nothing = false; // a list named only values that no event has
};

event_where compile_filter(store::connection& db, const monitoring_filter& f, filter_scope scope);

// One filtered event. Ids are dim ids (store::dim_reader names them).
struct scan_row
{
    std::int64_t id = 0, ts_ns = 0, ts_ms = 0;
    std::int64_t model = 0, provider = 0, endpoint = 0, auth_index = 0, source = 0, source_hash = 0,
                 api_key = 0, account_snapshot = 0, auth_label_snapshot = 0, auth_file_snapshot = 0,
                 auth_provider_snapshot = 0, auth_project_id_snapshot = 0, header_error_kind = 0,
                 header_error_code = 0, header_quota_plan_type = 0;
    std::string_view header_trace_id; // valid during the call only
    bool failed = false;
    // the record's counters: input, output, reasoning, cached, cache, cache_read, cache_creation, total
    std::int64_t tokens[8] = {};
    // canonical cost buckets: uncached input, cache read, cache write, output, reasoning
    std::int64_t cost_tokens[5] = {};
    std::optional<std::int64_t> latency_ms, ttft_ms;
    double usd = 0;

    std::int64_t normalized_input() const { return cost_tokens[0] + cost_tokens[1] + cost_tokens[2]; }
    // The account key: the first set of account snapshot, label, source, auth index (one dim id
    // space, so equal strings give equal ids).
    std::int64_t account() const
    {
        for (auto id : {account_snapshot, auth_label_snapshot, source, auth_index})
            if (id != 0)
                return id;
        return 0;
    }
};

// Calls f for every event of [from_ms, to_ms) that `where` keeps, oldest first (events of one
// instant in no particular order: ordering them by id too would cost a sort). Run inside a
// read transaction.
void scan_events(
    store::connection& db,
    store::rate_memo& prices,
    const event_where& where,
    std::int64_t from_ms,
    std::int64_t to_ms,
    const std::function<void(const scan_row&)>& f
);

// The number of events of [from_ms, to_ms) that `where` keeps.
std::int64_t
count_events(store::connection& db, const event_where& where, std::int64_t from_ms, std::int64_t to_ms);

} // namespace cpamd::analytics
