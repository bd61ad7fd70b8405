#include "consecutive_runs.hpp"
#include "event_items.hpp"
#include "event_scan.hpp"
#include "monitoring_groups.hpp"
#include "monitoring_pass.hpp"
#include "range_reader.hpp"

#include <algorithm>
#include <cpamd/analytics/anomaly_rules.hpp>
#include <cpamd/analytics/dashboard_rules.hpp>
#include <cpamd/analytics/monitoring_analytics.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/rate_memo.hpp>

namespace cpamd::analytics
{
namespace
{

constexpr std::int64_t rolling_ms = 30 * ms_per_minute;
constexpr std::size_t max_anomalies = 50;
constexpr std::size_t max_option_values = 200;
constexpr std::size_t max_selector_values = 500;

// Everything the range's own pass must see.
bool needs_range_pass(const monitoring_include& i)
{
    return i.summary || i.summary_comparison || i.timeline || i.hourly_distribution || i.heatmap ||
           i.anomaly_points || i.model_share || i.model_stats || i.channel_share || i.failure_sources ||
           i.account_stats || i.credential_stats || i.credential_timeline || i.api_key_stats ||
           i.api_key_timeline || i.task_buckets;
}

bool needs_buckets(const monitoring_include& i)
{
    return i.timeline || i.anomaly_points || i.credential_timeline || i.api_key_timeline;
}

bool identity_sections(const monitoring_include& i)
{
    return i.channel_share || i.failure_sources || i.account_stats || i.credential_stats || i.api_key_stats;
}

bool model_sections(const monitoring_include& i)
{
    return i.model_share || i.model_stats || (i.summary && i.profile == summary_profile::full);
}

// How the range pass may use the projections (store/projections.hpp, store/usage_rows.hpp).
struct projection_plan
{
    // The whole-range sections read these projected hours; none: raw.
    hour_rows hours;
    // The identity sections read projected days through a read of their own (and, with usage
    // rows, the model sections: usage rows have no model).
    bool identity_days = false;
};

// The usage rows that answer `q`: a kind whose columns hold its filter and, for a series by key
// or by credential, that key.
std::optional<store::usage_kind> usage_kind_for(const monitoring_query& q)
{
    const auto& i = q.include;
    const auto answer = usage_rows_answer(q.filter);
    if (i.heatmap || (i.credential_timeline && i.api_key_timeline))
        return std::nullopt;
    if (i.credential_timeline)
        return answer.credential ? std::optional(store::usage_kind::credential) : std::nullopt;
    if (i.api_key_timeline || answer.api_key)
        return answer.api_key ? std::optional(store::usage_kind::api_key) : std::nullopt;
    return answer.credential ? std::optional(store::usage_kind::credential) : std::nullopt;
}

// The hourly model rows hold model, provider, endpoint and outcome only (with the approximate
// tasks of the rows kept, projections.hpp); the hourly usage rows API keys or credentials with
// outcome. The daily identity rows hold every identity but no event-only field (search,
// latency, cache, headers). Listing tasks needs every event on its own.
projection_plan plan_projections(store::connection& db, const monitoring_query& q)
{
    const auto& i = q.include;
    projection_plan plan;
    if (i.task_buckets)
        return plan;
    const bool series = i.credential_timeline || i.api_key_timeline;
    auto rows = series ? std::nullopt : model_hour_filter_of(db, q.filter);
    // The heatmap's top API keys come from proj_key_hour, which holds every event of an hour.
    const bool keeps_all = rows && !rows->models && !rows->endpoints && rows->successes && rows->failures;
    if (i.heatmap && !keeps_all)
        rows.reset();
    const bool identity_answered = identity_rows_answer(q.filter);
    if (identity_sections(i) && !identity_answered)
        return plan; // one raw pass answers everything
    if (rows)
    {
        plan.hours.model = rows;
        plan.identity_days = identity_sections(i);
        return plan;
    }
    plan.hours.usage = usage_kind_for(q);
    if (series && !plan.hours.usage)
        return {}; // bucketed by key or credential: every event on its own
    plan.identity_days = identity_sections(i) || (plan.hours.usage && model_sections(i));
    return plan;
}

std::vector<option_count> most_calls_first(std::vector<option_count> out, std::size_t limit)
{
    std::sort(
        out.begin(),
        out.end(),
        [](const option_count& a, const option_count& b)
        { return a.calls != b.calls ? a.calls > b.calls : a.value < b.value; }
    );
    out.resize(std::min(out.size(), limit));
    return out;
}

// Calls per dim id -> the non-empty values with most calls first.
std::vector<option_count> counted(
    const std::map<std::int64_t, std::int64_t>& calls,
    store::dim_reader& dims,
    std::size_t limit,
    const alias_map* aliases = nullptr
)
{
    std::vector<option_count> out;
    for (const auto& [id, n] : calls)
    {
        if (id == 0)
            continue;
        option_count o{dims.value(id), {}, n};
        if (aliases)
            if (auto a = aliases->find(o.value); a != aliases->end())
                o.alias = a->second;
        out.push_back(std::move(o));
    }
    return most_calls_first(std::move(out), limit);
}

std::vector<option_count> counted_text(const std::map<std::string, std::int64_t>& calls, std::size_t limit)
{
    std::vector<option_count> out;
    for (const auto& [text, n] : calls)
        if (!text.empty())
            out.push_back({text, {}, n});
    return most_calls_first(std::move(out), limit);
}

struct scan_context
{
    store::connection& db;
    store::rate_memo& prices;
    store::dim_reader& dims;
    const alias_map& aliases;
    const monitoring_query& q;
};

filter_options read_filter_options(scan_context& c)
{
    auto base = compile_filter(c.db, c.q.filter, filter_scope::search_only);
    std::map<std::int64_t, std::int64_t> providers, files, projects, types, kinds, codes, plans;
    std::map<std::string, std::int64_t> traces;
    totals_acc all;
    model_groups models;
    account_groups accounts;
    api_key_groups keys;
    channel_groups channels;
    scan_events(
        c.db,
        c.prices,
        base,
        c.q.from_ms,
        c.q.to_ms,
        [&](const scan_row& r)
        {
            providers[r.provider]++, files[r.auth_file_snapshot]++, projects[r.auth_project_id_snapshot]++;
            types[r.endpoint]++, kinds[r.header_error_kind]++, codes[r.header_error_code]++;
            plans[r.header_quota_plan_type]++;
            if (!r.header_trace_id.empty())
                traces[std::string(r.header_trace_id)]++;
            all.add(r), models.add(r), accounts.add(r), keys.add(r), channels.add(r);
        }
    );
    filter_options o;
    o.providers = counted(providers, c.dims, max_option_values);
    o.auth_files = counted(files, c.dims, max_option_values);
    o.project_ids = counted(projects, c.dims, max_option_values);
    o.request_types = counted(types, c.dims, max_option_values);
    o.header_error_kinds = counted(kinds, c.dims, max_option_values);
    o.header_error_codes = counted(codes, c.dims, max_option_values);
    o.header_quota_plans = counted(plans, c.dims, max_option_values);
    o.header_trace_ids = counted_text(traces, max_option_values);
    const auto totals = all.finish();
    o.models = models.rows(c.dims, totals);
    o.accounts = accounts.rows(c.dims);
    o.api_keys = keys.rows(c.dims, c.aliases);
    o.channels = channels.rows(c.dims, totals);
    return o;
}

filter_selectors read_filter_selectors(scan_context& c)
{
    std::map<std::int64_t, std::int64_t> models, keys, providers, files, accounts;
    filter_selectors s;
    auto count_event = [&](const scan_row& r)
    {
        s.total_calls++;
        models[r.model]++, keys[r.api_key]++, providers[r.provider]++;
        files[r.auth_file_snapshot]++, accounts[r.account()]++;
    };
    // The narrowest rows that hold each: models and providers from the model rows, keys from the
    // calls per hour and key, auth files and accounts from the credential usage rows.
    auto count_rows = [&](std::int64_t first, std::int64_t end)
    {
        store::for_each_model_hour_calls(
            c.db,
            first,
            end,
            [&](std::int64_t model, std::int64_t provider, std::int64_t calls)
            { models[model] += calls, providers[provider] += calls, s.total_calls += calls; }
        );
        store::for_each_key_hour_row(
            c.db, first, end, [&](const store::key_hour_row& r) { keys[r.api_key] += r.calls; }
        );
        // The last is scan_row::account(): the first set of account snapshot, label, source, auth index.
        constexpr std::string_view credential_columns[] = {
            "auth_file_snapshot",
            "coalesce(nullif(account_snapshot, 0), nullif(auth_label_snapshot, 0), nullif(source, 0), "
            "auth_index)"};
        store::for_each_usage_calls(
            c.db,
            store::usage_kind::credential,
            credential_columns,
            first,
            end,
            [&](std::span<const std::int64_t> v, std::int64_t calls)
            { files[v[0]] += calls, accounts[v[1]] += calls; }
        );
    };
    // Whole projected hours from their rows (selectors take no filter), the rest raw.
    const auto none = compile_filter(c.db, c.q.filter, filter_scope::none);
    std::int64_t cursor = c.q.from_ms;
    for (const auto& [first, end] : consecutive_runs(usable_hours(c.db, c.q.from_ms, c.q.to_ms, {}, true)))
    {
        scan_events(c.db, c.prices, none, cursor, first * ms_per_hour, count_event);
        count_rows(first, end);
        cursor = end * ms_per_hour;
    }
    scan_events(c.db, c.prices, none, cursor, c.q.to_ms, count_event);
    s.models = counted(models, c.dims, max_selector_values);
    s.api_keys = counted(keys, c.dims, max_selector_values, &c.aliases);
    s.providers = counted(providers, c.dims, max_selector_values);
    s.auth_files = counted(files, c.dims, max_selector_values);
    s.accounts = counted(accounts, c.dims, max_selector_values);
    return s;
}

// Adds every event and projected row of [from_ms, to_ms) to `acc` (range totals: no bucket).
void read_totals(
    scan_context& c,
    const event_where& where,
    const hour_rows& rows,
    std::int64_t from_ms,
    std::int64_t to_ms,
    totals_acc& acc
)
{
    read_range(
        c.db,
        c.prices,
        where,
        rows,
        from_ms,
        to_ms,
        {},
        {[&](const scan_row& r) { acc.add(r); },
         [&](const store::model_hour_row& r, double usd) { acc.add(piece_of(r, usd)); },
         [](std::int64_t, std::int64_t) {},
         nullptr,
         nullptr,
         [&](const store::usage_hour_row& r) { acc.add(piece_of(r)); }}
    );
}

// The filtered events of the query's range, counted from whichever projection answers the
// filter (hourly rows for model filters, daily identity rows for the others), raw elsewhere.
std::int64_t count_in_range(scan_context& c, const event_where& where)
{
    std::int64_t calls = 0;
    const auto count_raw = [&](std::int64_t events) { calls += events; };
    if (auto rows = model_hour_filter_of(c.db, c.q.filter))
    {
        read_range(
            c.db,
            c.prices,
            where,
            {rows, std::nullopt},
            c.q.from_ms,
            c.q.to_ms,
            {},
            {nullptr, nullptr, nullptr, nullptr, count_raw}
        );
        return calls;
    }
    read_identity_range(
        c.db,
        c.prices,
        where,
        identity_rows_answer(c.q.filter),
        c.q.from_ms,
        c.q.to_ms,
        {nullptr, [&](const store::identity_row& r, double) { calls += r.calls; }, count_raw}
    );
    return calls;
}

summary_comparison
compare_previous(scan_context& c, const event_where& where, const hour_rows& rows, const usage_totals& now)
{
    summary_comparison cmp;
    cmp.to_ms = c.q.from_ms;
    cmp.from_ms = c.q.from_ms - (c.q.to_ms - c.q.from_ms);
    totals_acc acc;
    read_totals(c, where, rows, cmp.from_ms, cmp.to_ms, acc);
    const auto before = acc.finish();
    cmp.calls = before.calls, cmp.success = before.success, cmp.failure = before.failure;
    cmp.success_rate = before.success_rate, cmp.total_tokens = before.total_tokens, cmp.cost = before.cost;
    auto change = [](double now_value, double before_value) -> std::optional<double>
    {
        if (before_value == 0)
            return std::nullopt;
        return now_value / before_value - 1;
    };
    cmp.calls_change = change(static_cast<double>(now.calls), static_cast<double>(before.calls));
    cmp.tokens_change =
        change(static_cast<double>(now.total_tokens), static_cast<double>(before.total_tokens));
    cmp.cost_change = change(now.cost, before.cost);
    if (now.calls > 0 && before.calls > 0)
        cmp.success_rate_change = now.success_rate - before.success_rate;
    return cmp;
}

void add_rolling(scan_context& c, const event_where& where, monitoring_summary& s)
{
    std::int64_t calls = 0, tokens = 0;
    scan_events(
        c.db,
        c.prices,
        where,
        c.q.now_ms - rolling_ms,
        c.q.now_ms,
        [&](const scan_row& r) { ++calls, tokens += r.tokens[7]; }
    );
    s.rpm_30m = static_cast<double>(calls) / 30.0;
    s.tpm_30m = static_cast<double>(tokens) / 30.0;
}

std::vector<anomaly_point> anomalies(const std::vector<timeline_point>& timeline)
{
    std::vector<anomaly_point> out;
    auto input = [](const timeline_point& p)
    {
        return anomaly_input{
            p.totals.calls,
            p.totals.total_tokens,
            p.totals.cost,
            p.totals.cache_hit_rate,
            p.totals.failure_rate,
            p.p95_latency_ms};
    };
    for (std::size_t i = 1; i < timeline.size(); ++i)
    {
        const auto& before = timeline[i - 1];
        const auto& now = timeline[i];
        auto verdict = judge_anomaly(input(before), input(now));
        if (!verdict)
            continue;
        anomaly_point a;
        a.bucket_ms = now.bucket_ms, a.label = now.label;
        a.flags = std::move(verdict->flags), a.severity = verdict->severity, a.score = verdict->score;
        a.calls = now.totals.calls, a.previous_calls = before.totals.calls;
        a.cost = now.totals.cost, a.previous_cost = before.totals.cost;
        a.tokens_per_request =
            ratio(static_cast<double>(now.totals.total_tokens), static_cast<double>(now.totals.calls));
        a.previous_tokens_per_request =
            ratio(static_cast<double>(before.totals.total_tokens), static_cast<double>(before.totals.calls));
        a.cache_hit_rate = now.totals.cache_hit_rate,
        a.previous_cache_hit_rate = before.totals.cache_hit_rate;
        a.failure_rate = now.totals.failure_rate, a.previous_failure_rate = before.totals.failure_rate;
        a.p95_latency_ms = now.p95_latency_ms, a.previous_p95_latency_ms = before.p95_latency_ms;
        out.push_back(std::move(a));
    }
    std::stable_sort(
        out.begin(),
        out.end(),
        [](const anomaly_point& a, const anomaly_point& b)
        { return a.score != b.score ? a.score > b.score : a.bucket_ms < b.bucket_ms; }
    );
    out.resize(std::min(out.size(), max_anomalies));
    return out;
}

event_where failures_of(event_where where)
{
    where.sql += " AND (failed = 1)";
    return where;
}

} // namespace

monitoring_result run_monitoring(store::connection& db, const monitoring_query& q)
{
    store::read_transaction snapshot(db);
    auto price_table = store::load_price_table(db);
    store::rate_memo prices(db, price_table);
    store::dim_reader dims(db);
    const auto aliases = store::load_api_key_aliases(db);
    scan_context ctx{db, prices, dims, aliases, q};
    const auto& inc = q.include;

    monitoring_result out;
    out.from_ms = q.from_ms, out.to_ms = q.to_ms;
    out.time_zone = std::string(q.time_zone.name());
    const auto g = inc.timeline_granularity.value_or(auto_granularity(q.from_ms, q.to_ms));
    out.granularity = g == granularity::hour ? "hour" : "day";

    const auto where = compile_filter(db, q.filter, filter_scope::all);
    const auto plan = plan_projections(db, q);
    const auto range_buckets =
        needs_buckets(inc) ? buckets(q.time_zone, q.from_ms, q.to_ms, g) : std::vector<bucket>{};
    monitoring_pass pass(q, range_buckets);
    if (plan.hours.usage)
        pass.models_from_identity();
    const bool ran = needs_range_pass(inc);
    const bool local_hours =
        inc.hourly_distribution || inc.heatmap || (inc.summary && inc.profile == summary_profile::full);
    if (ran)
    {
        // With identity days, the first read feeds the whole-range sections only.
        auto event = plan.identity_days
                         ? std::function<void(const scan_row&)>([&](const scan_row& r)
                                                                { pass.add_model_part(r, piece_of(r)); })
                         : std::function<void(const scan_row&)>([&](const scan_row& r) { pass.add(r); });
        read_range(
            db,
            prices,
            where,
            plan.hours,
            q.from_ms,
            q.to_ms,
            {range_buckets, local_hours, &q.time_zone},
            {event,
             [&](const store::model_hour_row& r, double usd) { pass.add_model_hour(r, usd); },
             [&](std::int64_t tasks, std::int64_t failed) { pass.add_tasks(tasks, failed); },
             inc.heatmap ? std::function<void(const store::key_hour_row&)>([&](const store::key_hour_row& r)
                                                                           { pass.add_key_hour(r); })
                         : nullptr,
             nullptr,
             [&](const store::usage_hour_row& r) { pass.add_usage_hour(r); }}
        );
        if (plan.identity_days)
            read_identity_range(
                db,
                prices,
                where,
                true,
                q.from_ms,
                q.to_ms,
                {[&](const scan_row& r) { pass.add_identity_part(r, piece_of(r)); },
                 [&](const store::identity_row& r, double usd)
                 { pass.add_identity_part(dims_of(r), piece_of(r, usd)); }}
            );
    }
    pass.finish(dims, aliases, out);

    if (out.summary && inc.profile == summary_profile::full)
        add_rolling(ctx, where, *out.summary);
    if (inc.summary_comparison)
        out.comparison = compare_previous(ctx, where, plan.hours, pass.totals().finish());
    if (inc.anomaly_points)
    {
        out.anomaly_points = anomalies(*out.timeline);
        if (!inc.timeline)
            out.timeline.reset();
    }
    if (inc.filter_options)
        out.options = read_filter_options(ctx);
    if (inc.filter_selectors)
        out.selectors = read_filter_selectors(ctx);
    if (inc.recent_failures > 0)
        out.recent_failures = newest_events(
                                  db,
                                  prices,
                                  aliases,
                                  failures_of(where),
                                  q.from_ms,
                                  q.to_ms,
                                  static_cast<std::size_t>(inc.recent_failures),
                                  std::nullopt
        )
                                  .items;
    if (inc.events_page)
    {
        const auto& page_q = *inc.events_page;
        std::optional<item_cursor> cursor;
        if (page_q.before_ms)
            cursor = item_cursor{*page_q.before_ms, page_q.before_id.value_or(0)};
        auto page = newest_events(
            db, prices, aliases, where, q.from_ms, q.to_ms, static_cast<std::size_t>(page_q.limit), cursor
        );
        auto& ev = out.events.emplace();
        ev.has_more = page.has_more;
        if (page.has_more && !page.items.empty())
            ev.next_before_ms = page.items.back().timestamp_ms, ev.next_before_id = page.items.back().id;
        ev.items = std::move(page.items);
        if (ran)
            ev.total_count = pass.totals().calls();
        else
            ev.total_count = count_in_range(ctx, where);
    }
    if (inc.drilldown_preview)
    {
        const auto& d = *inc.drilldown_preview;
        auto& dd = out.drilldown.emplace();
        dd.from_ms = d.from_ms, dd.to_ms = d.to_ms;
        dd.items = newest_events(
                       db,
                       prices,
                       aliases,
                       where,
                       d.from_ms,
                       d.to_ms,
                       static_cast<std::size_t>(d.limit),
                       std::nullopt
        )
                       .items;
        dd.total_count = count_events(db, where, d.from_ms, d.to_ms);
    }
    return out;
}

} // namespace cpamd::analytics
