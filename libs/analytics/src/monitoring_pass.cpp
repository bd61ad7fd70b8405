#include "monitoring_pass.hpp"

#include <algorithm>
#include <cpamd/analytics/dashboard_rules.hpp>
#include <cpamd/core/floor_div.hpp>
#include <fmt/format.h>

namespace cpamd::analytics
{
namespace
{

constexpr std::size_t max_tasks = 500;
constexpr std::size_t top_contributors = 3;
constexpr std::size_t default_series = 5;

std::optional<double> average(std::int64_t sum, std::int64_t samples)
{
    if (samples <= 0)
        return std::nullopt;
    return static_cast<double>(sum) / static_cast<double>(samples);
}

void add_sample(store::dense_histogram& h, const std::optional<std::int64_t>& ms)
{
    if (ms && *ms > 0)
        h.add(*ms);
}

std::vector<contributor> top_of(
    const std::map<std::int64_t, std::int64_t>& counts,
    std::int64_t cell_calls,
    store::dim_reader& dims,
    const alias_map* aliases
)
{
    std::vector<contributor> out;
    for (const auto& [id, calls] : counts)
    {
        contributor c{dims.value(id), {}, calls, ratio(calls, cell_calls)};
        if (aliases)
            if (auto a = aliases->find(c.key); a != aliases->end())
                c.alias = a->second;
        out.push_back(std::move(c));
    }
    std::sort(
        out.begin(),
        out.end(),
        [](const contributor& a, const contributor& b)
        { return a.calls != b.calls ? a.calls > b.calls : a.key < b.key; }
    );
    out.resize(std::min(out.size(), top_contributors));
    return out;
}

} // namespace

monitoring_pass::monitoring_pass(const monitoring_query& q, std::vector<bucket> timeline_buckets)
    : q_(q), inc_(q.include), buckets_(std::move(timeline_buckets))
{
    const bool full = inc_.summary && inc_.profile == summary_profile::full;
    local_fields_needed_ = inc_.hourly_distribution || inc_.heatmap || full;
    tasks_needed_ = inc_.task_buckets || full;
    series_needed_ = inc_.credential_timeline || inc_.api_key_timeline;
    bucket_totals_.resize(buckets_.size());
    bucket_latency_.resize(buckets_.size());
    bucket_ttft_.resize(buckets_.size());
}

void monitoring_pass::advance_bucket(std::int64_t ms)
{
    while (bucket_ + 1 < buckets_.size() && ms >= buckets_[bucket_].end_ms)
        ++bucket_;
}

// Active days, the hourly distribution: `calls` calls at local time `ms`.
void monitoring_pass::add_local(std::int64_t ms, std::int64_t calls, std::int64_t tokens)
{
    auto lf = to_local(q_.time_zone, ms);
    if (active_days_ == 0 || lf.local_day != last_local_day_)
        ++active_days_, last_local_day_ = lf.local_day;
    hour_calls_[static_cast<std::size_t>(lf.hour)] += calls;
    hour_tokens_[static_cast<std::size_t>(lf.hour)] += tokens;
}

void monitoring_pass::add_hour_totals(
    std::int64_t hour, const usage_piece& p, std::string_view latency_hist, std::string_view ttft_hist
)
{
    totals_.add(p);
    zero_token_calls_ += p.zero_token_calls;
    latency_.add_encoded(latency_hist);
    ttft_.add_encoded(ttft_hist);
    const std::int64_t start_ms = hour * ms_per_hour;
    advance_bucket(start_ms);
    if (!buckets_.empty())
    {
        bucket_totals_[bucket_].add(p);
        bucket_latency_[bucket_].add_encoded(latency_hist);
        bucket_ttft_[bucket_].add_encoded(ttft_hist);
    }
    if (local_fields_needed_)
        add_local(start_ms, p.calls, p.total);
}

void monitoring_pass::add_models(std::int64_t model, const usage_piece& piece)
{
    if (piece.zero_token_calls > 0)
        zero_token_models_[model] += piece.zero_token_calls;
    if (inc_.model_share || inc_.model_stats)
        models_.add(model, piece);
}

void monitoring_pass::add_series_point(
    std::vector<series_acc>& points, std::int64_t calls, bool failed, std::int64_t tokens, double usd
)
{
    if (points.empty())
        points.resize(buckets_.size());
    auto& p = points[bucket_];
    p.calls += calls, p.total_tokens += tokens, p.usd += usd;
    if (failed)
        p.failure += calls;
}

void monitoring_pass::add_model_hour(const store::model_hour_row& row, double usd)
{
    const auto p = piece_of(row, usd);
    add_hour_totals(row.hour, p, row.latency_hist, row.ttft_hist);
    if (inc_.heatmap)
    {
        auto& cell = heat_cell(row.hour * ms_per_hour);
        cell.calls += row.calls, cell.tokens += row.tokens[7], cell.usd += usd;
        if (row.failed)
            cell.failure += row.calls;
        cell.models[row.model] += row.calls, cell.providers[row.provider] += row.calls;
    }
    if (!models_from_identity_)
        add_models(row.model, p);
}

void monitoring_pass::add_usage_hour(const store::usage_hour_row& row)
{
    add_hour_totals(row.hour, piece_of(row), row.latency_hist, row.ttft_hist);
    if (series_needed_ && !buckets_.empty())
    {
        if (inc_.credential_timeline)
            add_series_point(
                credential_series_[{row.auth_file_snapshot, row.auth_index, row.source_hash}],
                row.calls,
                row.failed,
                row.tokens[7],
                row.usd
            );
        if (inc_.api_key_timeline)
            add_series_point(api_key_series_[row.api_key], row.calls, row.failed, row.tokens[7], row.usd);
    }
}

void monitoring_pass::add_key_hour(const store::key_hour_row& row)
{
    heat_cell(row.hour * ms_per_hour).api_keys[row.api_key] += row.calls;
}

monitoring_pass::heat_acc& monitoring_pass::heat_cell(std::int64_t ms)
{
    auto lf = to_local(q_.time_zone, ms);
    return heat_[static_cast<std::size_t>(lf.weekday * 24 + lf.hour)];
}

void monitoring_pass::add_tasks(std::int64_t tasks, std::int64_t failed)
{
    tasks_ += tasks, failed_tasks_ += failed;
}

void monitoring_pass::add(const scan_row& r)
{
    const auto piece = piece_of(r);
    add_model_part(r, piece);
    add_identity_part(r, piece);
}

void monitoring_pass::add_identity_part(const scan_row& r, const usage_piece& piece)
{
    if (inc_.channel_share)
        channels_.add(r, piece);
    if (inc_.account_stats)
        accounts_.add(r, piece);
    if (inc_.credential_stats)
        credentials_.add(r, piece);
    if (inc_.api_key_stats)
        api_keys_.add(r, piece);
    if (models_from_identity_)
        add_models(r.model, piece);
    if (inc_.failure_sources)
    {
        auto& s = sources_[{r.source_hash, r.auth_index}];
        s.calls += piece.calls, s.last_seen_ms = std::max(s.last_seen_ms, piece.last_seen_ms);
        if (piece.failure > 0)
            s.failures += piece.failure, s.last_failure_ms = std::max(s.last_failure_ms, piece.last_seen_ms);
        s.latency_samples += piece.latency_samples, s.latency_sum += piece.latency_sum;
        s.names.take(r);
    }
}

void monitoring_pass::add_model_part(const scan_row& r, const usage_piece& piece)
{
    totals_.add(piece);
    zero_token_calls_ += piece.zero_token_calls;
    add_sample(latency_, r.latency_ms);
    add_sample(ttft_, r.ttft_ms);

    advance_bucket(r.ts_ms);
    if (!buckets_.empty())
    {
        bucket_totals_[bucket_].add(piece);
        add_sample(bucket_latency_[bucket_], r.latency_ms);
        add_sample(bucket_ttft_[bucket_], r.ttft_ms);
    }
    if (local_fields_needed_)
    {
        add_local(r.ts_ms, 1, r.tokens[7]);
        if (inc_.heatmap)
        {
            auto& cell = heat_cell(r.ts_ms);
            cell.calls++, cell.tokens += r.tokens[7], cell.usd += r.usd;
            if (r.failed)
                cell.failure++;
            cell.models[r.model]++, cell.api_keys[r.api_key]++, cell.providers[r.provider]++;
        }
    }
    if (!models_from_identity_)
        add_models(r.model, piece);
    if (series_needed_ && !buckets_.empty())
    {
        if (inc_.credential_timeline)
            add_series_point(
                credential_series_[{r.auth_file_snapshot, r.auth_index, r.source_hash}],
                1,
                r.failed,
                r.tokens[7],
                r.usd
            );
        if (inc_.api_key_timeline)
            add_series_point(api_key_series_[r.api_key], 1, r.failed, r.tokens[7], r.usd);
    }
    if (tasks_needed_)
        add_task(r);
}

void monitoring_pass::add_task(const scan_row& r)
{
    if (!open_tasks_.empty() && r.ts_ns != open_ts_ns_)
        flush_tasks();
    open_ts_ns_ = r.ts_ns;
    auto& t = open_tasks_[{r.source_hash, r.auth_index}];
    t.ts_ns = r.ts_ns;
    t.calls++, t.total_tokens += r.tokens[7], t.usd += r.usd;
    if (r.failed)
        t.failures++;
    t.models.insert(r.model), t.endpoints.insert(r.endpoint);
    if (r.latency_ms && *r.latency_ms > 0)
        t.latency_samples++, t.latency_sum += *r.latency_ms;
    if (r.latency_ms)
        t.latency_max = std::max(t.latency_max, *r.latency_ms);
    t.names.take(r);
}

void monitoring_pass::flush_tasks()
{
    for (auto& [key, t] : open_tasks_)
    {
        ++tasks_;
        if (t.failures > 0)
            ++failed_tasks_;
        if (!inc_.task_buckets)
            continue;
        newest_tasks_.emplace_back(key, std::move(t));
        // Keep the newest max_tasks, and any task tied in time with the oldest of them.
        while (newest_tasks_.size() > max_tasks &&
               newest_tasks_.front().second.ts_ns <
                   newest_tasks_[newest_tasks_.size() - max_tasks].second.ts_ns)
            newest_tasks_.pop_front();
    }
    open_tasks_.clear();
}

void monitoring_pass::finish(store::dim_reader& dims, const alias_map& aliases, monitoring_result& out)
{
    if (!open_tasks_.empty())
        flush_tasks();
    const auto all = totals_.finish();
    if (inc_.summary)
        finish_summary(dims, out);
    if (inc_.timeline || inc_.anomaly_points)
        finish_timeline(out);
    if (inc_.hourly_distribution)
    {
        out.hourly_distribution.emplace();
        for (int h = 0; h < 24; ++h)
            out.hourly_distribution->push_back(
                {h, hour_calls_[static_cast<std::size_t>(h)], hour_tokens_[static_cast<std::size_t>(h)]}
            );
    }
    if (inc_.heatmap)
        finish_heatmap(dims, aliases, out);
    if (inc_.model_share || inc_.model_stats)
    {
        auto rows = models_.rows(dims, all);
        if (inc_.model_share)
            out.model_share = rows;
        if (inc_.model_stats)
            out.model_stats = std::move(rows);
    }
    if (inc_.channel_share)
        out.channel_share = channels_.rows(dims, all);
    if (inc_.account_stats)
        out.account_stats = accounts_.rows(dims);
    if (inc_.credential_stats)
        out.credential_stats = credentials_.rows(dims);
    if (inc_.api_key_stats)
        out.api_key_stats = api_keys_.rows(dims, aliases);
    if (inc_.failure_sources)
        finish_sources(dims, out);
    if (inc_.task_buckets)
        finish_tasks(dims, out);
    if (series_needed_)
        finish_series(dims, aliases, out);
}

void monitoring_pass::finish_summary(store::dim_reader& dims, monitoring_result& out)
{
    auto& s = out.summary.emplace();
    s.totals = totals_.finish();
    s.average_cost_per_call = ratio(s.totals.cost, static_cast<double>(s.totals.calls));
    s.zero_token_calls = zero_token_calls_;
    const bool full = inc_.profile == summary_profile::full;
    if (full)
    {
        s.active_days = active_days_;
        s.avg_daily_requests = ratio(static_cast<double>(s.totals.calls), static_cast<double>(active_days_));
        s.avg_daily_tokens =
            ratio(static_cast<double>(s.totals.total_tokens), static_cast<double>(active_days_));
        s.approx_tasks = tasks_, s.approx_task_failures = failed_tasks_;
        s.approx_task_success_rate = ratio(tasks_ - failed_tasks_, tasks_);
        for (const auto& [id, calls] : zero_token_models_)
            s.zero_token_models.push_back({dims.value(id), calls});
        std::sort(
            s.zero_token_models.begin(),
            s.zero_token_models.end(),
            [](const zero_token_model& a, const zero_token_model& b)
            { return a.calls != b.calls ? a.calls > b.calls : a.model < b.model; }
        );
    }
    if (full || inc_.summary_percentiles)
    {
        s.p95_latency_ms = latency_.quantile(0.95);
        s.p95_ttft_ms = ttft_.quantile(0.95);
    }
}

void monitoring_pass::finish_timeline(monitoring_result& out)
{
    auto& points = out.timeline.emplace();
    points.reserve(buckets_.size());
    for (std::size_t i = 0; i < buckets_.size(); ++i)
    {
        timeline_point p;
        p.bucket_ms = buckets_[i].start_ms, p.end_ms = buckets_[i].end_ms;
        p.label = std::string(buckets_[i].label());
        p.totals = bucket_totals_[i].finish();
        p.p95_latency_ms = bucket_latency_[i].quantile(0.95);
        p.p95_ttft_ms = bucket_ttft_[i].quantile(0.95);
        points.push_back(std::move(p));
    }
}

void monitoring_pass::finish_heatmap(
    store::dim_reader& dims, const alias_map& aliases, monitoring_result& out
)
{
    auto& cells = out.heatmap.emplace();
    for (int wd = 0; wd < 7; ++wd)
        for (int h = 0; h < 24; ++h)
        {
            const auto& a = heat_[static_cast<std::size_t>(wd * 24 + h)];
            heatmap_cell c;
            c.weekday = wd, c.hour = h;
            c.calls = a.calls, c.failure = a.failure, c.success = a.calls - a.failure, c.tokens = a.tokens;
            c.cost = a.usd.value(), c.failure_rate = ratio(a.failure, a.calls);
            c.top_models = top_of(a.models, a.calls, dims, nullptr);
            c.top_api_keys = top_of(a.api_keys, a.calls, dims, &aliases);
            c.top_providers = top_of(a.providers, a.calls, dims, nullptr);
            cells.push_back(std::move(c));
        }
}

void monitoring_pass::finish_sources(store::dim_reader& dims, monitoring_result& out)
{
    auto& rows = out.failure_sources.emplace();
    for (const auto& [key, s] : sources_)
    {
        if (s.failures == 0)
            continue;
        failure_source_row row;
        row.names = s.names.resolve(dims);
        row.names.source_hash = dims.value(key.first), row.names.auth_index = dims.value(key.second);
        row.calls = s.calls, row.failures = s.failures, row.failure_rate = ratio(s.failures, s.calls);
        row.last_seen_ms = s.last_seen_ms, row.last_failure_ms = s.last_failure_ms;
        row.average_latency_ms = average(s.latency_sum, s.latency_samples);
        rows.push_back(std::move(row));
    }
    std::sort(
        rows.begin(),
        rows.end(),
        [](const failure_source_row& a, const failure_source_row& b)
        {
            if (a.failures != b.failures)
                return a.failures > b.failures;
            if (a.last_failure_ms != b.last_failure_ms)
                return a.last_failure_ms > b.last_failure_ms;
            return std::tie(a.names.source_hash, a.names.auth_index) <
                   std::tie(b.names.source_hash, b.names.auth_index);
        }
    );
}

void monitoring_pass::finish_tasks(store::dim_reader& dims, monitoring_result& out)
{
    auto& rows = out.task_buckets.emplace();
    for (const auto& [key, t] : newest_tasks_)
    {
        task_bucket b;
        b.names = t.names.resolve(dims);
        b.task_key = fmt::format("{}|{}|{}", t.ts_ns, dims.value(key.first), dims.value(key.second));
        b.timestamp_ms = floor_div(t.ts_ns, 1'000'000);
        b.calls = t.calls, b.failures = t.failures, b.total_tokens = t.total_tokens, b.cost = t.usd.value();
        for (auto id : t.models)
            b.models.push_back(dims.value(id));
        for (auto id : t.endpoints)
            b.endpoints.push_back(dims.value(id));
        std::sort(b.models.begin(), b.models.end());
        std::sort(b.endpoints.begin(), b.endpoints.end());
        b.average_latency_ms = average(t.latency_sum, t.latency_samples);
        if (t.latency_max >= 0)
            b.max_latency_ms = t.latency_max;
        rows.push_back(std::move(b));
    }
    std::sort(
        rows.begin(),
        rows.end(),
        [&](const task_bucket& a, const task_bucket& b)
        {
            auto ta = std::stoll(a.task_key), tb = std::stoll(b.task_key);
            return ta != tb ? ta > tb : a.task_key < b.task_key;
        }
    );
    rows.resize(std::min(rows.size(), max_tasks));
}

void monitoring_pass::finish_series(store::dim_reader& dims, const alias_map& aliases, monitoring_result& out)
{
    auto points_of = [&](const std::vector<series_acc>& acc)
    {
        std::vector<series_point> pts(buckets_.size());
        for (std::size_t i = 0; i < buckets_.size(); ++i)
        {
            pts[i].bucket_ms = buckets_[i].start_ms;
            if (acc.empty())
                continue;
            const auto& a = acc[i];
            pts[i].calls = a.calls, pts[i].failure = a.failure, pts[i].success = a.calls - a.failure;
            pts[i].total_tokens = a.total_tokens, pts[i].cost = a.usd.value();
        }
        return pts;
    };
    // The keys of the filter in its order, else the default_series with most calls.
    auto pick = [&](const auto& all, const std::vector<std::string>& wanted, auto name_of)
    {
        using entry = std::pair<std::string, const std::vector<series_acc>*>;
        std::vector<entry> named;
        std::map<std::string, std::int64_t> calls;
        for (const auto& [key, acc] : all)
        {
            std::int64_t n = 0;
            for (const auto& p : acc)
                n += p.calls;
            named.emplace_back(name_of(key), &acc);
            calls[named.back().first] = n;
        }
        std::vector<entry> out;
        if (!wanted.empty())
        {
            static const std::vector<series_acc> none;
            for (const auto& w : wanted)
            {
                auto it =
                    std::find_if(named.begin(), named.end(), [&](const entry& e) { return e.first == w; });
                if (std::none_of(out.begin(), out.end(), [&](const entry& e) { return e.first == w; }))
                    out.emplace_back(w, it == named.end() ? &none : it->second);
            }
            return out;
        }
        std::sort(
            named.begin(),
            named.end(),
            [&](const entry& a, const entry& b)
            {
                auto ca = calls[a.first], cb = calls[b.first];
                return ca != cb ? ca > cb : a.first < b.first;
            }
        );
        named.resize(std::min(named.size(), default_series));
        return named;
    };
    if (inc_.credential_timeline)
    {
        auto& list = out.credential_timeline.emplace();
        auto picked = pick(
            credential_series_,
            q_.filter.credential_ids,
            [&](const auto& k) {
                return credential_id(
                    dims.value(std::get<0>(k)), dims.value(std::get<1>(k)), dims.value(std::get<2>(k))
                );
            }
        );
        for (const auto& [name, acc] : picked)
            list.push_back({name, {}, points_of(*acc)});
    }
    if (inc_.api_key_timeline)
    {
        auto& list = out.api_key_timeline.emplace();
        auto picked =
            pick(api_key_series_, q_.filter.api_key_hashes, [&](std::int64_t k) { return dims.value(k); });
        for (const auto& [name, acc] : picked)
        {
            series s{name, {}, points_of(*acc)};
            if (auto a = aliases.find(name); a != aliases.end())
                s.alias = a->second;
            list.push_back(std::move(s));
        }
    }
}

} // namespace cpamd::analytics
