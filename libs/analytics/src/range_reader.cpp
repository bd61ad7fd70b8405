#include "range_reader.hpp"

#include <algorithm>
#include <cpamd/core/floor_div.hpp>
#include <cpamd/pricing/cost.hpp>
#include <fmt/format.h>

namespace cpamd::analytics
{
namespace
{

bool no_event_only_filter(const monitoring_filter& f)
{
    return f.header_error_kinds.empty() && f.header_error_codes.empty() && f.header_quota_plans.empty() &&
           f.header_trace_ids.empty() && f.min_latency_ms <= 0 && f.cache_status.empty() &&
           f.search_query.empty() && f.search_api_key_hash.empty();
}

bool only_model_dims(const monitoring_filter& f)
{
    for (const auto* list :
         {&f.providers,
          &f.accounts,
          &f.api_key_hashes,
          &f.credential_ids,
          &f.auth_files,
          &f.auth_indices,
          &f.source_hashes,
          &f.project_ids})
        if (!list->empty())
            return false;
    return no_event_only_filter(f);
}

// Whether hour `h` may be read whole: inside one timeline bucket, and inside one local hour
// when local hours are asked.
bool hour_fits(std::int64_t h, const bucketing& b)
{
    const std::int64_t start = h * ms_per_hour, end = start + ms_per_hour;
    if (!b.buckets.empty())
    {
        auto it = std::upper_bound(
            b.buckets.begin(),
            b.buckets.end(),
            start,
            [](std::int64_t t, const bucket& x) { return t < x.start_ms; }
        );
        if (it == b.buckets.begin() || std::prev(it)->end_ms < end)
            return false;
    }
    if (b.local_hours)
    {
        auto first = to_local(*b.time_zone, start), last = to_local(*b.time_zone, end - 1);
        if (first.minute != 0 || first.local_day != last.local_day || first.hour != last.hour)
            return false;
    }
    return true;
}

// The raw events of [from_ms, to_ms): read one by one, or only counted when that is all the
// consumer wants.
template <class Consumer>
void read_raw(
    store::connection& db,
    rate_memo& prices,
    const event_where& where,
    std::int64_t from_ms,
    std::int64_t to_ms,
    const Consumer& to
)
{
    if (to.raw_count)
        to.raw_count(count_events(db, where, from_ms, to_ms));
    else
        scan_events(db, prices, where, from_ms, to_ms, to.event);
}

} // namespace

std::string model_hour_filter::sql() const
{
    std::string out;
    if (!successes)
        out += failures ? " AND failed = 1" : " AND 0";
    else if (!failures)
        out += " AND failed = 0";
    auto in = [&](const char* column, const std::set<std::int64_t>& ids) {
        out +=
            ids.empty() ? std::string(" AND 0") : fmt::format(" AND {} IN ({})", column, fmt::join(ids, ","));
    };
    if (models)
        in("model", *models);
    if (endpoints)
        in("endpoint", *endpoints);
    return out;
}

std::optional<model_hour_filter> model_hour_filter_of(store::connection& db, const monitoring_filter& f)
{
    if (!only_model_dims(f))
        return std::nullopt;
    model_hour_filter out;
    if (!f.models.empty())
        out.models = dim_ids(db, store::dim_kind::model, f.models);
    if (!f.request_types.empty())
        out.endpoints = dim_ids(db, store::dim_kind::endpoint, f.request_types);
    if (f.failed_only)
        out.successes = false;
    else if (!f.include_failed)
        out.failures = false;
    return out;
}

void read_range(
    store::connection& db,
    rate_memo& prices,
    const event_where& where,
    const std::optional<model_hour_filter>& rows,
    std::int64_t from_ms,
    std::int64_t to_ms,
    const bucketing& b,
    const range_consumer& to
)
{
    if (where.matches_nothing || from_ms >= to_ms)
        return;
    std::vector<store::projected_hour> usable;
    const auto first_hour = floor_div(from_ms + ms_per_hour - 1, ms_per_hour);
    const auto end_hour = floor_div(to_ms, ms_per_hour);
    if (rows && first_hour < end_hour)
        for (const auto& h : store::projected_hours(db, first_hour, end_hour))
            if (hour_fits(h.hour, b))
                usable.push_back(h);

    const std::string row_sql = rows ? rows->sql() : std::string();
    std::int64_t cursor = from_ms;
    for (std::size_t i = 0; i < usable.size();)
    {
        std::size_t j = i; // [i, j]: a run of consecutive hours, read in one query
        while (j + 1 < usable.size() && usable[j + 1].hour == usable[j].hour + 1)
            ++j;
        const auto run_start = usable[i].hour * ms_per_hour;
        read_raw(db, prices, where, cursor, run_start, to);
        if (to.raw_count)
            to.raw_count(store::model_hour_total(
                db, usable[i].hour, usable[j].hour + 1, store::model_hour_column::calls, row_sql
            ));
        else
        {
            auto tasks = store::count_span_tasks(db, usable[i].hour, usable[j].hour + 1, row_sql);
            store::for_each_model_hour_row(
                db,
                usable[i].hour,
                usable[j].hour + 1,
                row_sql,
                [&](const store::model_hour_row& r)
                {
                    tasks.tasks += r.tasks;
                    tasks.failed += r.failed ? r.tasks : 0;
                    const auto* rates =
                        prices.rates(r.model, r.billing_model, r.service_tier, r.context_floor);
                    const auto tokens =
                        segments_of_buckets(r.cost[0], r.cost[1], r.cost[2], r.cost[3], r.cost[4]);
                    to.row(r, rates ? pricing::cost_usd(tokens, *rates) : 0.0);
                }
            );
            to.tasks(tasks.tasks, tasks.failed);
            if (to.key_row)
                store::for_each_key_hour_row(db, usable[i].hour, usable[j].hour + 1, to.key_row);
        }
        cursor = (usable[j].hour + 1) * ms_per_hour;
        i = j + 1;
    }
    read_raw(db, prices, where, cursor, to_ms, to);
}

bool identity_rows_answer(const monitoring_filter& f)
{
    return no_event_only_filter(f);
}

void read_identity_range(
    store::connection& db,
    rate_memo& prices,
    const event_where& where,
    bool use_rows,
    std::int64_t from_ms,
    std::int64_t to_ms,
    const identity_consumer& to
)
{
    if (where.matches_nothing || from_ms >= to_ms)
        return;
    std::vector<std::int64_t> days;
    const auto first_day = floor_div(from_ms + ms_per_day - 1, ms_per_day);
    const auto end_day = floor_div(to_ms, ms_per_day);
    if (use_rows && first_day < end_day)
        days = store::projected_days(db, first_day, end_day);
    std::int64_t cursor = from_ms;
    for (std::size_t i = 0; i < days.size();)
    {
        std::size_t j = i; // [i, j]: consecutive days, read in one query
        while (j + 1 < days.size() && days[j + 1] == days[j] + 1)
            ++j;
        read_raw(db, prices, where, cursor, days[i] * ms_per_day, to);
        store::for_each_identity_day_row(
            db,
            days[i],
            days[j] + 1,
            where.sql,
            [&](const store::identity_day_row& r)
            {
                const auto* rates = prices.rates(r.model, r.billing_model, r.service_tier, r.context_floor);
                const auto tokens =
                    segments_of_buckets(r.cost[0], r.cost[1], r.cost[2], r.cost[3], r.cost[4]);
                to.row(r, rates ? pricing::cost_usd(tokens, *rates) : 0.0);
            }
        );
        cursor = (days[j] + 1) * ms_per_day;
        i = j + 1;
    }
    read_raw(db, prices, where, cursor, to_ms, to);
}

} // namespace cpamd::analytics
