#pragma once

// One pass over the filtered events of the range that feeds every section asked for
// (monitoring_analytics.hpp): each event is offered once to each accumulator.

#include "monitoring_groups.hpp"

#include <cpamd/analytics/local_time.hpp>
#include <cpamd/analytics/monitoring_query.hpp>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/projections.hpp>
#include <deque>
#include <set>

namespace cpamd::analytics
{

struct series_acc
{
    std::int64_t calls = 0, failure = 0, total_tokens = 0;
    pricing::usd_sum usd;
};

class monitoring_pass
{
public:
    monitoring_pass(const monitoring_query& q, std::vector<bucket> timeline_buckets);

    void add(const scan_row& r);
    // add() is these two: the sections of the whole range (totals, timeline, models, ...) and
    // those grouped by identity (channel, account, credential and API key stats, failure
    // sources), which a read may take from different projections. For an identity part, `r`
    // carries the dims and its newest event (time, id), `piece` the sums.
    void add_model_part(const scan_row& r, const usage_piece& piece);
    void add_identity_part(const scan_row& r, const usage_piece& piece);
    // One projected row (store/projections.hpp) of an hour that lies in one timeline bucket and,
    // for the local-time sections, in one local hour; `usd` is its cost. Rows and events must
    // come oldest first, as add()'s do.
    void add_model_hour(const store::model_hour_row& row, double usd);
    // One usage row (store/usage_rows.hpp), under the same rules as add_model_hour. It has no
    // model: a read of usage rows calls models_from_identity() first.
    void add_usage_hour(const store::usage_hour_row& row);
    // The model sections (model share and stats, zero-token models) are fed by the identity
    // parts from now on, not by the whole-range ones.
    void models_from_identity() { models_from_identity_ = true; }
    // An hour's approximate tasks, when that hour is read from the projections.
    void add_tasks(std::int64_t tasks, std::int64_t failed);
    // An hour's calls of one API key (the heatmap's top keys), when read from the projections.
    void add_key_hour(const store::key_hour_row& row);
    // Fills the sections of `out` the query asked for (summary's rolling figures excepted).
    void finish(store::dim_reader& dims, const alias_map& aliases, monitoring_result& out);

    const totals_acc& totals() const { return totals_; }

private:
    struct task_acc
    {
        std::int64_t ts_ns = 0;
        std::int64_t calls = 0, failures = 0, total_tokens = 0;
        pricing::usd_sum usd;
        std::set<std::int64_t> models, endpoints;
        std::int64_t latency_samples = 0, latency_sum = 0, latency_max = -1;
        name_ids names;
    };
    struct heat_acc
    {
        std::int64_t calls = 0, failure = 0, tokens = 0;
        pricing::usd_sum usd;
        std::map<std::int64_t, std::int64_t> models, api_keys, providers;
    };
    struct source_acc
    {
        std::int64_t calls = 0, failures = 0, last_seen_ms = 0, last_failure_ms = 0;
        std::int64_t latency_samples = 0, latency_sum = 0;
        name_ids names;
    };

    void advance_bucket(std::int64_t ms);
    heat_acc& heat_cell(std::int64_t ms); // the local weekday × hour cell of an instant
    void add_local(std::int64_t ms, std::int64_t calls, std::int64_t tokens);
    void add_models(std::int64_t model, const usage_piece& piece);
    // The whole-range figures every row adds: totals, histograms, its bucket, local hours.
    void add_hour_totals(
        std::int64_t hour, const usage_piece& piece, std::string_view latency_hist, std::string_view ttft_hist
    );
    void add_series_point(
        std::vector<series_acc>& points, std::int64_t calls, bool failed, std::int64_t tokens, double usd
    );
    void add_task(const scan_row& r);
    void flush_tasks();
    void finish_summary(store::dim_reader& dims, monitoring_result& out);
    void finish_timeline(monitoring_result& out);
    void finish_heatmap(store::dim_reader& dims, const alias_map& aliases, monitoring_result& out);
    void finish_sources(store::dim_reader& dims, monitoring_result& out);
    void finish_tasks(store::dim_reader& dims, monitoring_result& out);
    void finish_series(store::dim_reader& dims, const alias_map& aliases, monitoring_result& out);

    const monitoring_query& q_;
    const monitoring_include& inc_;
    bool local_fields_needed_ = false;
    bool tasks_needed_ = false;
    bool series_needed_ = false;
    bool models_from_identity_ = false;

    totals_acc totals_;
    std::int64_t zero_token_calls_ = 0;
    std::map<std::int64_t, std::int64_t> zero_token_models_;
    store::dense_histogram latency_, ttft_;
    std::int64_t active_days_ = 0, last_local_day_ = 0;

    std::vector<bucket> buckets_;
    std::size_t bucket_ = 0; // the current event's bucket (events come oldest first)
    std::vector<totals_acc> bucket_totals_;
    std::vector<store::dense_histogram> bucket_latency_, bucket_ttft_;

    std::array<std::int64_t, 24> hour_calls_{}, hour_tokens_{};
    std::array<heat_acc, 7 * 24> heat_;

    model_groups models_;
    channel_groups channels_;
    account_groups accounts_;
    credential_groups credentials_;
    api_key_groups api_keys_;
    std::map<std::pair<std::int64_t, std::int64_t>, source_acc> sources_; // (source hash, auth index)

    // Series per credential (file, index, hash) and per API key, one point per bucket.
    std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::vector<series_acc>>
        credential_series_;
    std::map<std::int64_t, std::vector<series_acc>> api_key_series_;

    // Tasks: events of one instant grouped by (source hash, auth index).
    std::map<std::pair<std::int64_t, std::int64_t>, task_acc> open_tasks_;
    std::int64_t open_ts_ns_ = 0;
    std::int64_t tasks_ = 0, failed_tasks_ = 0;
    std::deque<std::pair<std::pair<std::int64_t, std::int64_t>, task_acc>> newest_tasks_;
};

} // namespace cpamd::analytics
