#include "dashboard_projection.hpp"
#include "histogram_binding.hpp"
#include "identity_projection.hpp"
#include "task_counter.hpp"
#include "usage_projection.hpp"

#include <algorithm>
#include <array>
#include <cpamd/core/floor_div.hpp>
#include <cpamd/pricing/context_band.hpp>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/projections.hpp>
#include <cpamd/store/rate_memo.hpp>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <tuple>

namespace cpamd::store
{
namespace
{

constexpr std::int64_t ns_per_hour = 3'600'000'000'000;

struct model_key
{
    std::int64_t model, provider, endpoint, failed_flag, billing_model, service_tier, context_floor;
    bool failed() const { return failed_flag != 0; }
    friend auto operator<=>(const model_key&, const model_key&) = default;
};

struct model_sums
{
    std::int64_t calls = 0;
    std::int64_t tokens[8] = {};
    std::int64_t cost[5] = {};
    std::int64_t latency_samples = 0, latency_sum = 0, ttft_samples = 0, ttft_sum = 0, zero_token_calls = 0;
    std::int64_t last_seen_ns = 0;
    std::int64_t tasks = 0; // approximate tasks whose events all fall in this row
    latency_histogram latency, ttft;
};

constexpr const char* hour_events_sql = R"sql(
SELECT ts_ns, source_hash, auth_index, model, provider, endpoint, failed, response_model, resolved_model,
       service_tier, input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output,
       cost_reasoning, latency_ms, ttft_ms, api_key, source, account_snapshot, auth_label_snapshot,
       auth_provider_snapshot, auth_file_snapshot, auth_project_id_snapshot, id
FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2 ORDER BY ts_ns
)sql";

constexpr const char* insert_model_hour_sql = R"sql(
INSERT INTO proj_model_hour (hour, model, provider, endpoint, failed, billing_model, service_tier, context_floor,
    calls, input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
    cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output,
    cost_reasoning, latency_samples, latency_sum, ttft_samples, ttft_sum, zero_token_calls, latency_hist, ttft_hist,
    last_seen_ns, tasks)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
        ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)
)sql";

// Deletes what every hourly projection holds for the hours [first_hour, end_hour), not the
// proj_hours marks: one list for the writes that make hours again and those that take them out.
void delete_hour_rows(connection& db, std::int64_t first_hour, std::int64_t end_hour)
{
    for (const char* sql :
         {"DELETE FROM proj_model_hour WHERE hour >= ?1 AND hour < ?2",
          "DELETE FROM proj_task_span WHERE hour >= ?1 AND hour < ?2",
          "DELETE FROM proj_key_hour WHERE hour >= ?1 AND hour < ?2"})
    {
        auto s = db.prepare(sql, true);
        s.bind(1, first_hour).bind(2, end_hour).run();
    }
    delete_dashboard_rows(db, first_hour, end_hour);
    delete_usage_rows(db, first_hour, end_hour);
    delete_identity_hour_rows(db, first_hour, end_hour);
}

// The prices an hour's usage rows are priced with, and their epoch (usage_rows.hpp).
struct hour_prices
{
    rate_memo& rates;
    std::int64_t epoch;
};

// Projects hour `h` from its events, with its identity rows when `identity`; returns the number
// of events read.
std::int64_t project_hour(
    connection& db,
    std::int64_t h,
    std::span<const std::int64_t> thresholds,
    hour_prices prices,
    bool identity
)
{
    std::map<model_key, model_sums> rows;
    task_counter<model_key, model_sums> tasks(rows);
    std::map<std::int64_t, std::int64_t> key_calls;
    dashboard_projection dashboard(db);
    usage_projection usage;
    identity_projection identities;
    std::int64_t events = 0;
    auto s = db.prepare(hour_events_sql);
    s.bind(1, h * ns_per_hour).bind(2, (h + 1) * ns_per_hour);
    while (s.step())
    {
        ++events;
        const bool failed = s.int64(6) != 0;
        std::int64_t cost[5];
        for (int i = 0; i < 5; ++i)
            cost[i] = s.int64(18 + i);
        const std::int64_t billing = s.int64(7) != 0 ? s.int64(7) : s.int64(8);
        model_key key{
            s.int64(3),
            s.int64(4),
            s.int64(5),
            failed ? 1 : 0,
            billing,
            s.int64(9),
            pricing::context_band_floor(cost[0] + cost[1] + cost[2], thresholds)};
        tasks.add(s.int64(0), s.int64(1), s.int64(2), key);
        key_calls[s.int64(25)]++;
        dashboard.add(
            {s.int64(0),
             s.int64(1),
             s.int64(2),
             s.int64(17),
             failed,
             s.is_null(23) ? 0 : s.int64(23),
             s.int64(26),
             s.int64(27),
             s.int64(28),
             s.int64(29),
             s.int64(4)}
        );
        std::int64_t tokens[8];
        for (int i = 0; i < 8; ++i)
            tokens[i] = s.int64(10 + i);
        auto optional_at = [&](int col)
        { return s.is_null(col) ? std::nullopt : std::optional(s.int64(col)); };
        usage.add(
            {s.int64(0),
             s.int64(25),
             s.int64(2),
             s.int64(30),
             s.int64(1),
             s.int64(26),
             s.int64(27),
             s.int64(28),
             s.int64(29),
             s.int64(31),
             s.int64(4),
             failed,
             tokens,
             cost[0] + cost[1] + cost[2],
             cost[1],
             prices.rates.event_usd(s.int64(3), billing, s.int64(9), cost),
             optional_at(23),
             optional_at(24)}
        );
        if (identity)
            identities.add(
                {{s.int64(25),
                  s.int64(2),
                  s.int64(26),
                  s.int64(1),
                  s.int64(30),
                  s.int64(27),
                  s.int64(28),
                  s.int64(29),
                  s.int64(31),
                  s.int64(4),
                  s.int64(5),
                  s.int64(3),
                  failed ? 1 : 0},
                 billing,
                 s.int64(9),
                 key.context_floor,
                 tokens,
                 cost,
                 optional_at(23),
                 s.int64(0),
                 s.int64(32)}
            );
        auto& r = rows[key];
        r.calls++;
        r.last_seen_ns = s.int64(0); // events come in time order
        for (int i = 0; i < 8; ++i)
            r.tokens[i] += s.int64(10 + i);
        for (int i = 0; i < 5; ++i)
            r.cost[i] += cost[i];
        if (!failed && s.int64(17) == 0)
            r.zero_token_calls++;
        if (!s.is_null(23) && s.int64(23) > 0)
            r.latency_samples++, r.latency_sum += s.int64(23), r.latency.add(s.int64(23));
        if (!s.is_null(24) && s.int64(24) > 0)
            r.ttft_samples++, r.ttft_sum += s.int64(24), r.ttft.add(s.int64(24));
    }
    tasks.flush();

    delete_hour_rows(db, h, h + 1);
    auto insert = db.prepare(insert_model_hour_sql);
    for (const auto& [k, r] : rows)
    {
        insert.reset();
        insert.bind(1, h).bind(2, k.model).bind(3, k.provider).bind(4, k.endpoint).bind(5, k.failed_flag);
        insert.bind(6, k.billing_model).bind(7, k.service_tier).bind(8, k.context_floor).bind(9, r.calls);
        for (int i = 0; i < 8; ++i)
            insert.bind(10 + i, r.tokens[i]);
        for (int i = 0; i < 5; ++i)
            insert.bind(18 + i, r.cost[i]);
        insert.bind(23, r.latency_samples)
            .bind(24, r.latency_sum)
            .bind(25, r.ttft_samples)
            .bind(26, r.ttft_sum);
        insert.bind(27, r.zero_token_calls);
        bind_histogram(insert, 28, r.latency);
        bind_histogram(insert, 29, r.ttft);
        insert.bind(30, r.last_seen_ns).bind(31, r.tasks);
        insert.run();
    }
    auto span = db.prepare("INSERT INTO proj_task_span (hour, task, model, provider, endpoint, failed, "
                           "billing_model, service_tier, "
                           "context_floor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (std::size_t t = 0; t < tasks.spans.size(); ++t)
        for (const auto& k : tasks.spans[t])
        {
            span.reset();
            span.bind(1, h).bind(2, static_cast<std::int64_t>(t)).bind(3, k.model).bind(4, k.provider);
            span.bind(5, k.endpoint).bind(6, k.failed_flag).bind(7, k.billing_model).bind(8, k.service_tier);
            span.bind(9, k.context_floor).run();
        }
    auto key_row = db.prepare("INSERT INTO proj_key_hour (hour, api_key, calls) VALUES (?1, ?2, ?3)");
    for (const auto& [api_key, calls] : key_calls)
    {
        key_row.reset();
        key_row.bind(1, h).bind(2, api_key).bind(3, calls).run();
    }
    dashboard.write(db, h);
    usage.write(db, h);
    if (identity)
        identities.write(db, identity_grain::hour, h);
    auto done = db.prepare("INSERT OR REPLACE INTO proj_hours (hour, tasks, failed_tasks, price_epoch, "
                           "identity_rows) VALUES (?1, ?2, ?3, ?4, ?5)");
    done.bind(1, h).bind(2, tasks.tasks).bind(3, tasks.failed).bind(4, prices.epoch);
    done.bind(5, std::int64_t{identity ? 1 : 0}).run();
    auto dequeue = db.prepare("DELETE FROM proj_todo WHERE hour = ?1");
    dequeue.bind(1, h).run();
    return events;
}

constexpr std::int64_t ns_per_day = 24 * ns_per_hour;

// Projects day `d`'s identity rows from its events; returns the number of events read.
std::int64_t project_day(connection& db, std::int64_t d, std::span<const std::int64_t> thresholds)
{
    identity_projection rows;
    std::int64_t events = 0;
    constexpr int n = identity_count;
    auto s = db.prepare(fmt::format(
        R"sql(
SELECT {}, response_model, resolved_model, service_tier, id, ts_ns,
       input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output,
       cost_reasoning, latency_ms
FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2
)sql",
        identity_columns
    ));
    s.bind(1, d * ns_per_day).bind(2, (d + 1) * ns_per_day);
    while (s.step())
    {
        ++events;
        identity_projection::event_fields e;
        for (int i = 0; i < n; ++i)
            e.identity[static_cast<std::size_t>(i)] = s.int64(i);
        std::int64_t tokens[8], cost[5];
        for (int i = 0; i < 8; ++i)
            tokens[i] = s.int64(n + 5 + i);
        for (int i = 0; i < 5; ++i)
            cost[i] = s.int64(n + 13 + i);
        e.billing_model = s.int64(n) != 0 ? s.int64(n) : s.int64(n + 1);
        e.service_tier = s.int64(n + 2);
        e.context_floor = pricing::context_band_floor(cost[0] + cost[1] + cost[2], thresholds);
        e.tokens = tokens, e.cost = cost;
        if (!s.is_null(n + 18))
            e.latency_ms = s.int64(n + 18);
        e.id = s.int64(n + 3), e.ts_ns = s.int64(n + 4);
        rows.add(e);
    }
    rows.write(db, identity_grain::day, d);
    auto done = db.prepare("INSERT OR REPLACE INTO proj_days (day) VALUES (?1)");
    done.bind(1, d).run();
    make_identity_blocks(db, d);
    auto dequeue = db.prepare("DELETE FROM proj_day_todo WHERE day = ?1");
    dequeue.bind(1, d).run();
    return events;
}

// The days of `hours`, each once, queued and taken out of the projections.
void invalidate_days(connection& db, std::span<const std::int64_t> hours)
{
    std::vector<std::int64_t> days;
    for (auto h : hours)
        if (std::find(days.begin(), days.end(), floor_div(h, 24)) == days.end())
            days.push_back(floor_div(h, 24));
    auto queue = db.prepare("INSERT OR IGNORE INTO proj_day_todo (day) VALUES (?1)", true);
    auto unmark = db.prepare("DELETE FROM proj_days WHERE day = ?1", true);
    auto rows = db.prepare("DELETE FROM proj_identity_day WHERE day = ?1", true);
    for (auto d : days)
    {
        queue.reset();
        queue.bind(1, d).run();
        unmark.reset();
        unmark.bind(1, d).run();
        if (db.changes() > 0)
        {
            rows.reset();
            rows.bind(1, d).run();
            delete_identity_blocks(db, d, d + 1);
        }
    }
}

} // namespace

void invalidate_projected_hours(connection& db, std::span<const std::int64_t> hours)
{
    if (hours.empty())
        return;
    auto queue = db.prepare("INSERT OR IGNORE INTO proj_todo (hour) VALUES (?1)", true);
    auto unmark = db.prepare("DELETE FROM proj_hours WHERE hour = ?1", true);
    for (auto h : hours)
    {
        queue.reset();
        queue.bind(1, h).run();
        unmark.reset();
        unmark.bind(1, h).run();
        if (db.changes() > 0)
            delete_hour_rows(db, h, h + 1);
    }
    invalidate_days(db, hours);
}

void invalidate_projected_hours_between(connection& db, std::int64_t first_hour, std::int64_t end_hour)
{
    for (const char* sql :
         {"INSERT OR IGNORE INTO proj_todo (hour) SELECT hour FROM proj_hours WHERE hour >= ?1 AND hour < ?2",
          "DELETE FROM proj_hours WHERE hour >= ?1 AND hour < ?2"})
    {
        auto s = db.prepare(sql);
        s.bind(1, first_hour).bind(2, end_hour).run();
    }
    delete_hour_rows(db, first_hour, end_hour);
    // Days: every day that touches the range.
    for (const char* sql :
         {"INSERT OR IGNORE INTO proj_day_todo (day) SELECT day FROM proj_days WHERE day >= ?1 AND day < ?2",
          "DELETE FROM proj_identity_day WHERE day >= ?1 AND day < ?2",
          "DELETE FROM proj_days WHERE day >= ?1 AND day < ?2"})
    {
        auto s = db.prepare(sql);
        s.bind(1, floor_div(first_hour, 24)).bind(2, floor_div(end_hour + 23, 24)).run();
    }
    delete_identity_blocks(db, floor_div(first_hour, 24), floor_div(end_hour + 23, 24));
}

void invalidate_all_projections(connection& db)
{
    db.exec("INSERT OR IGNORE INTO proj_todo (hour) SELECT hour FROM proj_hours");
    // Hourly rows exist only for projected hours: the span of proj_hours covers them all.
    std::optional<std::pair<std::int64_t, std::int64_t>> projected;
    {
        auto s = db.prepare("SELECT min(hour), max(hour) FROM proj_hours");
        if (s.step() && !s.is_null(0))
            projected.emplace(s.int64(0), s.int64(1) + 1);
    }
    if (projected)
        delete_hour_rows(db, projected->first, projected->second);
    db.exec("DELETE FROM proj_hours");
    db.exec("INSERT OR IGNORE INTO proj_day_todo (day) SELECT day FROM proj_days");
    db.exec("DELETE FROM proj_identity_day");
    db.exec("DELETE FROM proj_days");
    db.exec("DELETE FROM proj_identity_block");
    db.exec("DELETE FROM proj_blocks");
}

bool project_step(
    connection& db, std::int64_t now_hour, std::span<const std::int64_t> thresholds, std::int64_t max_events
)
{
    auto next_hour = db.prepare("SELECT hour FROM proj_todo WHERE hour < ?1 ORDER BY hour DESC LIMIT 1");
    auto next_day = db.prepare("SELECT day FROM proj_day_todo WHERE day < ?1 ORDER BY day DESC LIMIT 1");
    const auto now_day = floor_div(now_hour, 24);
    // The newest queued hour, else day, that has ended.
    auto next = [&]() -> std::optional<std::pair<bool, std::int64_t>>
    {
        next_hour.reset();
        next_hour.bind(1, now_hour);
        if (next_hour.step())
            return std::pair{true, next_hour.int64(0)};
        next_day.reset();
        next_day.bind(1, now_day);
        if (next_day.step())
            return std::pair{false, next_day.int64(0)};
        return std::nullopt;
    };
    // The prices of this step's hours, read in its transaction (so every row agrees with the
    // epoch) and only once an hour is to be projected: most steps find nothing queued.
    std::optional<pricing::price_table> price_table;
    std::optional<rate_memo> rates;
    std::int64_t epoch = 0;
    auto prices = [&]
    {
        if (!rates)
        {
            price_table.emplace(load_price_table(db));
            rates.emplace(db, *price_table);
            epoch = current_price_epoch(db);
        }
        return hour_prices{*rates, epoch};
    };
    const auto first_identity = first_identity_hour(now_hour);
    prune_identity_hours(db, first_identity);
    std::int64_t read = 0;
    while (read < max_events)
    {
        auto item = next();
        if (!item)
            return false;
        next_hour.reset(), next_day.reset();
        const auto [is_hour, n] = *item;
        read += is_hour ? project_hour(db, n, thresholds, prices(), n >= first_identity)
                        : project_day(db, n, thresholds);
    }
    bool more = next().has_value();
    next_hour.reset(), next_day.reset();
    return more;
}

std::int64_t queued_projection_hours(connection& db)
{
    return db.query_int("SELECT (SELECT count(*) FROM proj_todo) + (SELECT count(*) FROM proj_day_todo)")
        .value_or(0);
}

std::vector<std::int64_t> projected_days(connection& db, std::int64_t first_day, std::int64_t end_day)
{
    std::vector<std::int64_t> out;
    auto s = db.prepare("SELECT day FROM proj_days WHERE day >= ?1 AND day < ?2 ORDER BY day");
    s.bind(1, first_day).bind(2, end_day);
    while (s.step())
        out.push_back(s.int64(0));
    return out;
}

std::vector<projected_hour> projected_hours(connection& db, std::int64_t first_hour, std::int64_t end_hour)
{
    std::vector<projected_hour> out;
    auto s = db.prepare(
        "SELECT hour, tasks, failed_tasks, price_epoch, identity_rows FROM proj_hours WHERE hour >= ?1 AND "
        "hour < ?2 ORDER BY hour"
    );
    s.bind(1, first_hour).bind(2, end_hour);
    while (s.step())
        out.push_back({s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.int64(4) != 0});
    return out;
}

void for_each_model_hour_row(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    std::string_view extra_sql,
    const std::function<void(const model_hour_row&)>& f
)
{
    auto s = db.prepare(fmt::format(
        "SELECT hour, model, provider, endpoint, failed, billing_model, service_tier, context_floor, calls, "
        "input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens, "
        "cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output, "
        "cost_reasoning, latency_samples, latency_sum, ttft_samples, ttft_sum, zero_token_calls, "
        "latency_hist, "
        "ttft_hist, last_seen_ns, tasks FROM proj_model_hour WHERE hour >= ?1 AND hour < ?2{} ORDER BY hour",
        extra_sql
    ));
    s.bind(1, first_hour).bind(2, end_hour);
    model_hour_row r;
    while (s.step())
    {
        r.hour = s.int64(0), r.model = s.int64(1), r.provider = s.int64(2), r.endpoint = s.int64(3);
        r.failed = s.int64(4) != 0, r.billing_model = s.int64(5), r.service_tier = s.int64(6);
        r.context_floor = s.int64(7), r.calls = s.int64(8);
        for (int i = 0; i < 8; ++i)
            r.tokens[i] = s.int64(9 + i);
        for (int i = 0; i < 5; ++i)
            r.cost[i] = s.int64(17 + i);
        r.latency_samples = s.int64(22), r.latency_sum = s.int64(23);
        r.ttft_samples = s.int64(24), r.ttft_sum = s.int64(25), r.zero_token_calls = s.int64(26);
        r.latency_hist = s.blob(27), r.ttft_hist = s.blob(28), r.last_seen_ns = s.int64(29);
        r.tasks = s.int64(30);
        f(r);
    }
}

std::int64_t model_hour_total(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    model_hour_column column,
    std::string_view extra_sql
)
{
    auto s = db.prepare(fmt::format(
        "SELECT coalesce(sum({}), 0) FROM proj_model_hour WHERE hour >= ?1 AND hour < ?2{}",
        column == model_hour_column::calls ? "calls" : "zero_token_calls",
        extra_sql
    ));
    s.bind(1, first_hour).bind(2, end_hour);
    return s.step() ? s.int64(0) : 0;
}

void for_each_model_hour_calls(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(std::int64_t model, std::int64_t provider, std::int64_t calls)>& f
)
{
    auto s =
        db.prepare("SELECT model, provider, calls FROM proj_model_hour WHERE hour >= ?1 AND hour < ?2", true);
    s.bind(1, first_hour).bind(2, end_hour);
    while (s.step())
        f(s.int64(0), s.int64(1), s.int64(2));
}

void for_each_key_hour_row(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(const key_hour_row&)>& f
)
{
    auto s = db.prepare(
        "SELECT hour, api_key, calls FROM proj_key_hour WHERE hour >= ?1 AND hour < ?2 ORDER BY hour", true
    );
    s.bind(1, first_hour).bind(2, end_hour);
    while (s.step())
        f({s.int64(0), s.int64(1), s.int64(2)});
}

span_task_counts count_span_entries(
    connection& db,
    std::string_view table,
    std::int64_t first_hour,
    std::int64_t end_hour,
    std::string_view extra_sql
)
{
    auto s = db.prepare(fmt::format(
        "SELECT count(*), coalesce(sum(failed), 0) FROM (SELECT max(failed) AS failed FROM {} "
        "WHERE hour >= ?1 AND hour < ?2{} GROUP BY hour, task)",
        table,
        extra_sql
    ));
    s.bind(1, first_hour).bind(2, end_hour);
    span_task_counts out;
    if (s.step())
        out.tasks = s.int64(0), out.failed = s.int64(1);
    return out;
}

span_task_counts
count_span_tasks(connection& db, std::int64_t first_hour, std::int64_t end_hour, std::string_view extra_sql)
{
    return count_span_entries(db, "proj_task_span", first_hour, end_hour, extra_sql);
}

} // namespace cpamd::store
