#include "range_reader.hpp"

#include "consecutive_runs.hpp"

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

bool all_empty(std::initializer_list<const std::vector<std::string>*> lists)
{
    return std::all_of(lists.begin(), lists.end(), [](const auto* l) { return l->empty(); });
}

bool only_model_dims(const monitoring_filter& f)
{
    return all_empty(
               {&f.providers,
                &f.accounts,
                &f.api_key_hashes,
                &f.credential_ids,
                &f.auth_files,
                &f.auth_indices,
                &f.source_hashes,
                &f.project_ids}
           ) &&
           no_event_only_filter(f);
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
    store::rate_memo& prices,
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

// A stretch of whole projected days an identity read takes as rows: one block, or a run of days.
struct day_part
{
    std::int64_t first_day = 0, end_day = 0;
    std::optional<store::identity_block> block;
};

// The projected days of [first_day, end_day) as the fewest parts: at each day the largest block
// made that starts there (made_identity_blocks gives only those that fit), else the day's own
// rows; days not projected are left out.
std::vector<day_part> whole_day_parts(store::connection& db, std::int64_t first_day, std::int64_t end_day)
{
    const auto days = store::projected_days(db, first_day, end_day);
    const auto blocks = store::made_identity_blocks(db, first_day, end_day);
    std::vector<day_part> parts;
    auto day = days.begin();
    for (std::int64_t d = first_day; d < end_day;)
    {
        std::optional<store::identity_block> largest;
        for (const auto& b : blocks)
            if (b.first_day() == d && (!largest || b.level > largest->level))
                largest = b;
        if (largest)
        {
            parts.push_back({d, largest->end_day(), largest});
            d = largest->end_day();
            continue;
        }
        while (day != days.end() && *day < d)
            ++day;
        if (day != days.end() && *day == d)
        {
            if (!parts.empty() && !parts.back().block && parts.back().end_day == d)
                parts.back().end_day++;
            else
                parts.push_back({d, d + 1, std::nullopt});
        }
        ++d;
    }
    return parts;
}

} // namespace

usage_answer usage_rows_answer(const monitoring_filter& f)
{
    usage_answer out;
    if (!no_event_only_filter(f) || !all_empty({&f.models, &f.request_types}))
        return out;
    const bool no_credential = all_empty(
        {&f.providers,
         &f.accounts,
         &f.credential_ids,
         &f.auth_files,
         &f.auth_indices,
         &f.source_hashes,
         &f.project_ids}
    );
    out.api_key = no_credential;
    out.credential = f.api_key_hashes.empty();
    return out;
}

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

namespace
{

// Reads the projected rows of hours [first_hour, end_hour), all of them usable.
void read_hour_run(
    store::connection& db,
    store::rate_memo& prices,
    const event_where& where,
    const hour_rows& rows,
    const std::string& model_sql,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const range_consumer& to
)
{
    if (rows.usage)
    {
        std::int64_t calls = 0;
        store::span_task_counts own; // the tasks wholly inside one kept row
        store::for_each_usage_hour_row(
            db,
            *rows.usage,
            first_hour,
            end_hour,
            where.sql,
            [&](const store::usage_hour_row& r)
            {
                calls += r.calls;
                own.tasks += r.tasks;
                own.failed += r.failed ? r.tasks : 0;
                if (!to.raw_count)
                    to.usage_row(r);
            }
        );
        if (to.raw_count)
            to.raw_count(calls);
        else
        {
            auto spans = store::count_usage_span_tasks(db, *rows.usage, first_hour, end_hour, where.sql);
            to.tasks(own.tasks + spans.tasks, own.failed + spans.failed);
        }
        return;
    }
    if (to.raw_count)
    {
        to.raw_count(
            store::model_hour_total(db, first_hour, end_hour, store::model_hour_column::calls, model_sql)
        );
        return;
    }
    auto tasks = store::count_span_tasks(db, first_hour, end_hour, model_sql);
    store::for_each_model_hour_row(
        db,
        first_hour,
        end_hour,
        model_sql,
        [&](const store::model_hour_row& r)
        {
            tasks.tasks += r.tasks;
            tasks.failed += r.failed ? r.tasks : 0;
            to.row(r, prices.usd(r.model, r.billing_model, r.service_tier, r.context_floor, r.cost));
        }
    );
    to.tasks(tasks.tasks, tasks.failed);
    if (to.key_row)
        store::for_each_key_hour_row(db, first_hour, end_hour, to.key_row);
}

} // namespace

std::vector<std::int64_t> usable_hours(
    store::connection& db, std::int64_t from_ms, std::int64_t to_ms, const bucketing& b, bool usage_rows
)
{
    std::vector<std::int64_t> out;
    const auto first_hour = floor_div(from_ms + ms_per_hour - 1, ms_per_hour);
    const auto end_hour = floor_div(to_ms, ms_per_hour);
    if (first_hour >= end_hour)
        return out;
    const auto epoch = usage_rows ? store::current_price_epoch(db) : 0;
    for (const auto& h : store::projected_hours(db, first_hour, end_hour))
        if (hour_fits(h.hour, b) && (!usage_rows || h.price_epoch == epoch))
            out.push_back(h.hour);
    return out;
}

void read_range(
    store::connection& db,
    store::rate_memo& prices,
    const event_where& where,
    const hour_rows& rows,
    std::int64_t from_ms,
    std::int64_t to_ms,
    const bucketing& b,
    const range_consumer& to
)
{
    if (where.matches_nothing || from_ms >= to_ms)
        return;
    std::vector<std::int64_t> usable;
    if (rows.model || rows.usage)
        usable = usable_hours(db, from_ms, to_ms, b, rows.usage.has_value());

    const std::string model_sql = rows.model ? rows.model->sql() : std::string();
    std::int64_t cursor = from_ms;
    for (const auto& [first, end] : consecutive_runs(usable))
    {
        read_raw(db, prices, where, cursor, first * ms_per_hour, to);
        read_hour_run(db, prices, where, rows, model_sql, first, end, to);
        cursor = end * ms_per_hour;
    }
    read_raw(db, prices, where, cursor, to_ms, to);
}

bool identity_rows_answer(const monitoring_filter& f)
{
    return no_event_only_filter(f);
}

void read_identity_range(
    store::connection& db,
    store::rate_memo& prices,
    const event_where& where,
    bool use_rows,
    std::int64_t from_ms,
    std::int64_t to_ms,
    const identity_consumer& to
)
{
    if (where.matches_nothing || from_ms >= to_ms)
        return;
    const auto first_day = floor_div(from_ms + ms_per_day - 1, ms_per_day);
    const auto end_day = floor_div(to_ms, ms_per_day);
    // Each identity row, with its cost at the current prices.
    const auto row = [&](const store::identity_row& r)
    { to.row(r, prices.usd(r.model, r.billing_model, r.service_tier, r.context_floor, r.cost)); };
    // Between the projected days and blocks: the runs of hours that have identity rows, the rest raw.
    const auto read_hours = [&](std::int64_t from, std::int64_t until)
    {
        std::vector<std::int64_t> hours;
        const auto first_hour = floor_div(from + ms_per_hour - 1, ms_per_hour);
        const auto end_hour = floor_div(until, ms_per_hour);
        if (use_rows && first_hour < end_hour)
            for (const auto& h : store::projected_hours(db, first_hour, end_hour))
                if (h.identity_rows)
                    hours.push_back(h.hour);
        std::int64_t cursor = from;
        for (const auto& [first, end] : consecutive_runs(hours))
        {
            read_raw(db, prices, where, cursor, first * ms_per_hour, to);
            store::for_each_identity_row(db, store::identity_grain::hour, first, end, where.sql, row);
            cursor = end * ms_per_hour;
        }
        read_raw(db, prices, where, cursor, until, to);
    };
    std::int64_t cursor = from_ms;
    if (use_rows && first_day < end_day)
        for (const auto& part : whole_day_parts(db, first_day, end_day))
        {
            read_hours(cursor, part.first_day * ms_per_day);
            if (part.block)
                store::for_each_identity_block_row(db, *part.block, where.sql, row);
            else
                store::for_each_identity_row(
                    db, store::identity_grain::day, part.first_day, part.end_day, where.sql, row
                );
            cursor = part.end_day * ms_per_day;
        }
    read_hours(cursor, to_ms);
}

} // namespace cpamd::analytics
