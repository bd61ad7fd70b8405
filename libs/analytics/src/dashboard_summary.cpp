#include "consecutive_runs.hpp"

#include <algorithm>
#include <cpamd/analytics/bucket_usage.hpp>
#include <cpamd/analytics/dashboard_rules.hpp>
#include <cpamd/analytics/dashboard_summary.hpp>
#include <cpamd/analytics/local_time.hpp>
#include <cpamd/analytics/priced_usage.hpp>
#include <cpamd/core/floor_div.hpp>
#include <cpamd/pricing/usd_sum.hpp>
#include <cpamd/store/api_key_aliases.hpp>
#include <cpamd/store/dashboard_rows.hpp>
#include <cpamd/store/dims.hpp>
#include <cpamd/store/event_reader.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/projections.hpp>
#include <map>
#include <unordered_map>

namespace cpamd::analytics
{
namespace
{

constexpr std::int64_t ns_per_ms = 1'000'000;
constexpr std::int64_t rolling_ms = 30 * ms_per_minute;
constexpr std::int64_t health_bucket_ms = 10 * ms_per_minute;
constexpr int health_buckets = 144;
constexpr int timeline_hours = 24;
constexpr std::size_t health_rows = 5;

std::optional<double> average(std::int64_t sum, std::int64_t samples)
{
    if (samples <= 0)
        return std::nullopt;
    return static_cast<double>(sum) / static_cast<double>(samples);
}

struct model_acc
{
    std::int64_t calls = 0, success = 0, tokens = 0;
};

struct channel_acc
{
    std::int64_t calls = 0, failures = 0, tokens = 0, latency_samples = 0, latency_sum = 0;
};

// Strings met over the day for a channel or failure source: the largest of each, as the
// upstream's max() over its rows.
struct snapshots
{
    std::string source, account, label, provider_snapshot, provider;
    void take(std::string& into, const std::string& v)
    {
        if (v > into)
            into = v;
    }
    std::string provider_or_fallback() const
    {
        return provider_snapshot.empty() ? provider : provider_snapshot;
    }
};

struct source_acc
{
    std::int64_t calls = 0, failures = 0, last_seen_ns = 0, latency_samples = 0, latency_sum = 0;
    snapshots names;
};

// Today's core: totals, models and channels, from bucket_usage over the whole window (whole UTC
// hours from the rollups, the edges raw, whatever the zone).
void read_core(
    store::connection& db,
    const dashboard_params& p,
    dashboard_summary& out,
    std::map<std::int64_t, model_acc>& models,
    std::map<std::int64_t, channel_acc>& channels
)
{
    const std::int64_t edges[] = {p.today_start_ms, std::max(p.today_start_ms, p.now_ms)};
    auto& t = out.today;
    std::int64_t cost_read = 0, latency_samples = 0, latency_sum = 0, uncached = 0, write = 0;
    for_each_bucket_slice(
        db,
        edges,
        [&](const usage_slice& s)
        {
            t.total_calls += s.calls;
            (s.failed ? t.failure_calls : t.success_calls) += s.calls;
            uncached += s.cost[0], cost_read += s.cost[1], write += s.cost[2];
            t.output_tokens += s.tokens[1];
            t.reasoning_tokens += s.tokens[2];
            t.cache_read_tokens += s.tokens[5];
            t.cache_creation_tokens += s.tokens[6];
            t.total_tokens += s.tokens[7];
            latency_samples += s.latency_samples, latency_sum += s.latency_sum;
            auto& m = models[s.model];
            m.calls += s.calls, m.tokens += s.tokens[7];
            if (!s.failed)
                m.success += s.calls;
            auto& c = channels[s.auth_index];
            c.calls += s.calls, c.tokens += s.tokens[7];
            c.latency_samples += s.latency_samples, c.latency_sum += s.latency_sum;
            if (s.failed)
                c.failures += s.calls;
        }
    );
    // analytics-api §1: input is the normalized total input (cache buckets included); cached is
    // the legacy cached input that no fine-grained cache-read counter covers (docs/analytics.md).
    t.input_tokens = uncached + cost_read + write;
    t.cached_tokens = std::max<std::int64_t>(cost_read - t.cache_read_tokens, 0);
    t.success_rate = ratio(t.success_calls, t.total_calls);
    t.average_latency_ms = average(latency_sum, latency_samples);
}

void finish_timeline(const dashboard_params& p, dashboard_summary& out)
{
    std::int64_t max_calls = 0, max_tokens = 0;
    for (int i = 0; i < timeline_hours; ++i)
    {
        auto& pt = out.traffic_timeline[static_cast<std::size_t>(i)];
        pt.bucket_ms = p.today_start_ms + i * ms_per_hour;
        pt.failure_rate = ratio(pt.failure, pt.calls);
        max_calls = std::max(max_calls, pt.calls), max_tokens = std::max(max_tokens, pt.tokens);
    }
    for (auto& pt : out.traffic_timeline)
        pt.calls_share = ratio(pt.calls, max_calls), pt.tokens_share = ratio(pt.tokens, max_tokens);
}

// The rolling 30 minutes: a raw pass over its events (a few thousand at most).
void read_rolling(store::connection& db, const dashboard_params& p, dashboard_summary& out)
{
    out.rolling_30m_start_ms = p.now_ms - rolling_ms;
    auto s = db.prepare(
        "SELECT count(*), coalesce(sum(total_tokens), 0) FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2"
    );
    s.bind(1, out.rolling_30m_start_ms * ns_per_ms).bind(2, p.now_ms * ns_per_ms);
    if (s.step())
        out.rolling_30m.total_calls = s.int64(0), out.rolling_30m.total_tokens = s.int64(1);
}

// Today's 24-hour traffic timeline, health strip, zero-token calls, failure sources and channel
// names: the projected hours wholly inside today as rows (store/dashboard_rows.hpp; the 5-minute
// slots tile both the hourly and the 10-minute buckets), the rest as raw events.
class today_reader
{
public:
    today_reader(
        store::connection& db,
        const dashboard_params& p,
        dashboard_summary& out,
        std::map<std::int64_t, snapshots>& channel_names,
        std::map<std::pair<std::int64_t, std::int64_t>, source_acc>& sources
    )
        : db_(db), p_(p), out_(out), channel_names_(channel_names), sources_(sources), dims_(db)
    {
    }

    void read()
    {
        std::int64_t cursor = p_.today_start_ms;
        for (const auto& [first, end] : projected_runs())
        {
            read_raw(cursor, first * ms_per_hour);
            read_rows(first, end);
            cursor = end * ms_per_hour;
        }
        read_raw(cursor, p_.now_ms);
    }

private:
    // Runs [first, end) of consecutive projected hours wholly inside [today_start, now). None
    // when today does not start on a 5-minute boundary (the health slots would straddle cells).
    std::vector<std::pair<std::int64_t, std::int64_t>> projected_runs()
    {
        std::vector<std::pair<std::int64_t, std::int64_t>> runs;
        if (p_.today_start_ms % store::health_slot_ms != 0)
            return runs;
        const auto first = floor_div(p_.today_start_ms + ms_per_hour - 1, ms_per_hour);
        const auto end = floor_div(p_.now_ms, ms_per_hour);
        if (first >= end)
            return runs;
        std::vector<std::int64_t> hours;
        for (const auto& h : store::projected_hours(db_, first, end))
            hours.push_back(h.hour);
        return consecutive_runs(hours);
    }

    dashboard_health_point* cell_of(std::int64_t ms)
    {
        auto cell = floor_div(ms - p_.today_start_ms, health_bucket_ms);
        if (cell < 0 || cell >= health_buckets)
            return nullptr;
        return &out_.health.points[static_cast<std::size_t>(cell)];
    }

    // The traffic timeline's hour since today's start, if within the first 24.
    dashboard_traffic_point* hour_of(std::int64_t ms)
    {
        auto hour = floor_div(ms - p_.today_start_ms, ms_per_hour);
        if (hour < 0 || hour >= timeline_hours)
            return nullptr;
        return &out_.traffic_timeline[static_cast<std::size_t>(hour)];
    }

    template <class Point>
    static void add_calls(Point& pt, std::int64_t calls, std::int64_t failures, std::int64_t tokens)
    {
        pt.calls += calls, pt.tokens += tokens;
        pt.failure += failures, pt.success += calls - failures;
    }

    void take_names(
        snapshots& names,
        std::int64_t source,
        std::int64_t account,
        std::int64_t label,
        std::int64_t provider_snapshot,
        std::int64_t provider
    )
    {
        names.take(names.source, dims_.value(source)), names.take(names.account, dims_.value(account));
        names.take(names.label, dims_.value(label));
        names.take(names.provider_snapshot, dims_.value(provider_snapshot));
        names.take(names.provider, dims_.value(provider));
    }

    void read_raw(std::int64_t from_ms, std::int64_t to_ms)
    {
        if (from_ms >= to_ms)
            return;
        auto s = db_.prepare(R"sql(
SELECT ts_ns, failed, total_tokens, latency_ms, auth_index, source, source_hash, account_snapshot,
       auth_label_snapshot, auth_provider_snapshot, provider
FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2
)sql");
        s.bind(1, from_ms * ns_per_ms).bind(2, to_ms * ns_per_ms);
        while (s.step())
        {
            const std::int64_t ts = s.int64(0);
            const bool failed = s.int64(1) != 0;
            const std::int64_t total = s.int64(2);
            if (!failed && total == 0)
                out_.today.zero_token_calls++;
            if (auto* pt = cell_of(ts / ns_per_ms))
                add_calls(*pt, 1, failed ? 1 : 0, total);
            if (auto* pt = hour_of(ts / ns_per_ms))
                add_calls(*pt, 1, failed ? 1 : 0, total);
            const std::int64_t auth_index = s.int64(4);
            const std::int64_t names[5] = {s.int64(5), s.int64(7), s.int64(8), s.int64(9), s.int64(10)};
            take_names(channel_names_[auth_index], names[0], names[1], names[2], names[3], names[4]);
            auto& src = sources_[{s.int64(6), auth_index}];
            src.calls++;
            if (failed)
                src.failures++;
            src.last_seen_ns = std::max(src.last_seen_ns, ts);
            if (!s.is_null(3) && s.int64(3) > 0)
                src.latency_samples++, src.latency_sum += s.int64(3);
            take_names(src.names, names[0], names[1], names[2], names[3], names[4]);
        }
    }

    void read_rows(std::int64_t first_hour, std::int64_t end_hour)
    {
        store::for_each_source_hour_row(
            db_,
            first_hour,
            end_hour,
            [&](const store::source_hour_row& r)
            {
                take_names(
                    channel_names_[r.auth_index],
                    r.source,
                    r.account,
                    r.label,
                    r.provider_snapshot,
                    r.provider
                );
                auto& src = sources_[{r.source_hash, r.auth_index}];
                src.calls += r.calls, src.failures += r.failures;
                src.last_seen_ns = std::max(src.last_seen_ns, r.last_seen_ns);
                src.latency_samples += r.latency_samples, src.latency_sum += r.latency_sum;
                take_names(src.names, r.source, r.account, r.label, r.provider_snapshot, r.provider);
            }
        );
        store::for_each_health_slot(
            db_,
            first_hour,
            end_hour,
            [&](const store::health_slot_row& r)
            {
                if (auto* pt = cell_of(r.slot * store::health_slot_ms))
                    add_calls(*pt, r.calls, r.failures, r.tokens);
                if (auto* pt = hour_of(r.slot * store::health_slot_ms))
                    add_calls(*pt, r.calls, r.failures, r.tokens);
            }
        );
        out_.today.zero_token_calls +=
            store::model_hour_total(db_, first_hour, end_hour, store::model_hour_column::zero_token_calls);
    }

    store::connection& db_;
    const dashboard_params& p_;
    dashboard_summary& out_;
    std::map<std::int64_t, snapshots>& channel_names_;
    std::map<std::pair<std::int64_t, std::int64_t>, source_acc>& sources_;
    store::dim_reader dims_;
};

void read_today(
    store::connection& db,
    const dashboard_params& p,
    dashboard_summary& out,
    std::map<std::int64_t, snapshots>& channel_names,
    std::map<std::pair<std::int64_t, std::int64_t>, source_acc>& sources
)
{
    read_rolling(db, p, out);
    auto& health = out.health;
    health.from_ms = p.today_start_ms;
    health.to_ms = p.today_start_ms + health_buckets * health_bucket_ms;
    health.points.assign(health_buckets, {});
    out.traffic_timeline.assign(timeline_hours, {});
    today_reader(db, p, out, channel_names, sources).read();
    out.rolling_30m.rpm = static_cast<double>(out.rolling_30m.total_calls) / 30.0;
    out.rolling_30m.tpm = static_cast<double>(out.rolling_30m.total_tokens) / 30.0;

    std::int64_t max_calls = 0;
    for (const auto& pt : health.points)
        max_calls = std::max(max_calls, pt.calls);
    for (int i = 0; i < health_buckets; ++i)
    {
        auto& pt = health.points[static_cast<std::size_t>(i)];
        pt.bucket_ms = health.from_ms + i * health_bucket_ms;
        pt.future = pt.bucket_ms > p.now_ms;
        pt.success_rate = ratio(pt.success, pt.calls);
        pt.failure_rate = ratio(pt.failure, pt.calls);
        pt.tone = health_cell_tone(pt.calls, pt.failure_rate, pt.future);
        pt.intensity = ratio(pt.calls, max_calls);
        health.success_calls += pt.success, health.failure_calls += pt.failure,
            health.total_calls += pt.calls;
    }
    health.success_rate = ratio(health.success_calls, health.total_calls);
}

void build_models(
    store::dim_reader& dims,
    const dashboard_params& p,
    const std::map<std::int64_t, model_acc>& models,
    const std::map<std::int64_t, double>& cost_by_model,
    dashboard_summary& out
)
{
    std::vector<dashboard_model_row> rows;
    double max_cost = 0;
    for (const auto& [id, m] : models)
    {
        auto it = cost_by_model.find(id);
        double cost = it == cost_by_model.end() ? 0.0 : it->second;
        rows.push_back({dims.value(id), m.calls, m.tokens, cost, ratio(m.success, m.calls), 0});
        max_cost = std::max(max_cost, cost);
    }
    for (auto& r : rows)
        r.cost_share = ratio(r.cost, max_cost);
    const auto limit = static_cast<std::size_t>(p.top_models);
    auto top = rows;
    std::sort(
        top.begin(),
        top.end(),
        [](const auto& a, const auto& b)
        { return a.calls != b.calls ? a.calls > b.calls : a.model < b.model; }
    );
    top.resize(std::min(top.size(), limit));
    for (auto& r : top)
        r.cost_share = 0;
    out.top_models_today = std::move(top);
    std::sort(
        rows.begin(),
        rows.end(),
        [](const auto& a, const auto& b)
        {
            if (a.cost != b.cost)
                return a.cost > b.cost;
            return a.calls != b.calls ? a.calls > b.calls : a.model < b.model;
        }
    );
    rows.resize(std::min(rows.size(), limit));
    out.model_cost_rank = std::move(rows);
}

void build_channels(
    store::dim_reader& dims,
    const std::map<std::int64_t, channel_acc>& channels,
    const std::map<std::int64_t, double>& cost_by_channel,
    const std::map<std::int64_t, snapshots>& names,
    dashboard_summary& out
)
{
    std::vector<dashboard_channel> rows;
    for (const auto& [id, c] : channels)
    {
        dashboard_channel row;
        row.auth_index = dims.value(id);
        if (row.auth_index.empty())
            row.auth_index = "-";
        if (auto n = names.find(id); n != names.end())
        {
            row.source = n->second.source, row.account_snapshot = n->second.account;
            row.auth_label_snapshot = n->second.label;
            row.auth_provider_snapshot = n->second.provider_or_fallback();
        }
        row.calls = c.calls, row.failures = c.failures, row.tokens = c.tokens;
        row.success_rate = ratio(c.calls - c.failures, c.calls);
        row.failure_rate = ratio(c.failures, c.calls);
        if (auto it = cost_by_channel.find(id); it != cost_by_channel.end())
            row.cost = it->second;
        row.average_latency_ms = average(c.latency_sum, c.latency_samples);
        row.tone = channel_tone(row.success_rate, row.failures, row.average_latency_ms);
        rows.push_back(std::move(row));
    }
    std::sort(
        rows.begin(),
        rows.end(),
        [](const auto& a, const auto& b)
        {
            int sa = tone_severity(a.tone), sb = tone_severity(b.tone);
            if (sa != sb)
                return sa > sb;
            if (a.failures != b.failures)
                return a.failures > b.failures;
            return a.calls != b.calls ? a.calls > b.calls : a.auth_index < b.auth_index;
        }
    );
    rows.resize(std::min(rows.size(), health_rows));
    out.channel_health = std::move(rows);
}

void build_sources(
    store::dim_reader& dims,
    const std::map<std::pair<std::int64_t, std::int64_t>, source_acc>& sources,
    dashboard_summary& out
)
{
    std::vector<dashboard_failure_source> rows;
    for (const auto& [key, s] : sources)
    {
        if (s.failures == 0)
            continue;
        dashboard_failure_source row;
        row.source = s.names.source, row.source_hash = dims.value(key.first),
        row.auth_index = dims.value(key.second);
        row.account_snapshot = s.names.account, row.auth_label_snapshot = s.names.label;
        row.auth_provider_snapshot = s.names.provider_or_fallback();
        row.calls = s.calls, row.failures = s.failures, row.failure_rate = ratio(s.failures, s.calls);
        row.last_seen_ms = floor_div(s.last_seen_ns, ns_per_ms);
        row.average_latency_ms = average(s.latency_sum, s.latency_samples);
        row.tone = failure_source_tone(row.failure_rate, row.failures);
        rows.push_back(std::move(row));
    }
    std::sort(
        rows.begin(),
        rows.end(),
        [](const auto& a, const auto& b)
        {
            if (a.failures != b.failures)
                return a.failures > b.failures;
            if (a.last_seen_ms != b.last_seen_ms)
                return a.last_seen_ms > b.last_seen_ms;
            return std::tie(a.source_hash, a.auth_index) < std::tie(b.source_hash, b.auth_index);
        }
    );
    rows.resize(std::min(rows.size(), health_rows));
    out.failure_sources = std::move(rows);
}

void read_recent_failures(store::connection& db, const dashboard_params& p, dashboard_summary& out)
{
    auto ids = db.prepare(
        "SELECT id FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2 AND failed != 0 ORDER BY ts_ns DESC, id DESC "
        "LIMIT ?3"
    );
    ids.bind(1, p.today_start_ms * ns_per_ms)
        .bind(2, p.now_ms * ns_per_ms)
        .bind(3, std::int64_t{p.recent_failures});
    store::event_lookup lookup(db);
    auto aliases = store::load_api_key_aliases(db);
    store::stored_event se;
    while (ids.step())
    {
        if (!lookup.read(ids.int64(0), se))
            continue;
        const auto& e = se.ev;
        dashboard_recent_failure f;
        f.id = ids.int64(0);
        f.timestamp_ms = e.timestamp_ms, f.model = e.model, f.api_key_hash = e.api_key_hash;
        if (auto it = aliases.find(e.api_key_hash); it != aliases.end())
            f.api_key_alias = it->second;
        f.source = e.source, f.source_hash = e.source_hash, f.auth_index = e.auth_index;
        f.account_snapshot = e.account_snapshot, f.auth_label_snapshot = e.auth_label_snapshot;
        f.auth_provider_snapshot = e.auth_provider_snapshot,
        f.auth_project_id_snapshot = e.auth_project_id_snapshot;
        f.endpoint = e.endpoint, f.duration_ms = e.latency_ms, f.fail_status_code = e.fail_status_code;
        f.fail_summary = e.fail_summary, f.response_metadata = e.response_metadata;
        f.header_quota_recover_at_ms = e.header_quota_recover_at_ms;
        f.header_quota_used_percent = e.header_quota_used_percent;
        f.header_quota_plan_type = e.header_quota_plan_type, f.header_error_kind = e.header_error_kind;
        f.header_error_code = e.header_error_code, f.header_trace_id = e.header_trace_id;
        out.recent_failures.push_back(std::move(f));
    }
}

} // namespace

dashboard_summary summarize_dashboard(store::connection& db, const dashboard_params& p)
{
    store::read_transaction snapshot(db);
    auto prices = store::load_price_table(db);
    store::dim_reader dims(db);
    dashboard_summary out;
    out.today_start_ms = p.today_start_ms, out.now_ms = p.now_ms;

    std::map<std::int64_t, model_acc> models;
    std::map<std::int64_t, channel_acc> channels;
    read_core(db, p, out, models, channels);

    pricing::usd_sum total;
    std::map<std::int64_t, pricing::usd_sum> by_model, by_channel;
    for_each_priced_slice(
        db,
        prices,
        p.today_start_ms * ns_per_ms,
        p.now_ms * ns_per_ms,
        [&](const priced_slice& s)
        {
            total += s.usd;
            by_model[s.model] += s.usd;
            by_channel[s.auth_index] += s.usd;
        }
    );
    out.today.total_cost = total.value();
    std::map<std::int64_t, double> cost_by_model, cost_by_channel;
    for (const auto& [id, v] : by_model)
        cost_by_model[id] = v.value();
    for (const auto& [id, v] : by_channel)
        cost_by_channel[id] = v.value();

    std::map<std::int64_t, snapshots> channel_names;
    std::map<std::pair<std::int64_t, std::int64_t>, source_acc> sources;
    read_today(db, p, out, channel_names, sources);
    finish_timeline(p, out);

    build_models(dims, p, models, cost_by_model, out);
    build_channels(dims, channels, cost_by_channel, channel_names, out);
    build_sources(dims, sources, out);
    out.token_mix = token_mix(out.today);
    read_recent_failures(db, p, out);
    return out;
}

} // namespace cpamd::analytics
