#pragma once

// GET /v0/management/dashboard/summary (analytics-api §1, §2; docs/analytics.md, "Dashboard
// summary"): the day so far, [today_start_ms, now_ms), in one read snapshot.
//  * today, top models, cost rank, the 24 h timeline and channel health: rollups for the whole
//    UTC hours inside each hour bucket, raw events for the rest (bucket_usage.hpp); cost from
//    for_each_priced_slice;
//  * rolling 30 minutes, the 144-cell health strip, zero-token calls, failure sources, channel
//    snapshots and recent failures: raw events.

#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::analytics
{

struct dashboard_params
{
    std::int64_t today_start_ms = 0; // > 0
    std::int64_t now_ms = 0;         // >= today_start_ms
    int top_models = 5;              // also limits the cost rank
    int recent_failures = 5;
};

struct dashboard_today
{
    std::int64_t total_calls = 0, success_calls = 0, failure_calls = 0;
    double success_rate = 0;
    std::int64_t input_tokens = 0, output_tokens = 0, cached_tokens = 0, cache_read_tokens = 0,
                 cache_creation_tokens = 0, reasoning_tokens = 0, total_tokens = 0;
    double total_cost = 0;
    std::optional<double> average_latency_ms;
    std::int64_t zero_token_calls = 0;
};

struct dashboard_rolling
{
    double rpm = 0, tpm = 0;
    std::int64_t total_calls = 0, total_tokens = 0;
};

struct dashboard_model_row
{
    std::string model;
    std::int64_t calls = 0, tokens = 0;
    double cost = 0, success_rate = 0;
    double cost_share = 0; // the cost rank only
};

struct dashboard_traffic_point
{
    std::int64_t bucket_ms = 0, calls = 0, tokens = 0, success = 0, failure = 0;
    double calls_share = 0, tokens_share = 0, failure_rate = 0;
};

struct dashboard_health_point
{
    std::int64_t bucket_ms = 0, calls = 0, tokens = 0, success = 0, failure = 0;
    double success_rate = 0, failure_rate = 0;
    std::string tone; // future | empty | bad | warn | good
    double intensity = 0;
    bool future = false;
};

struct dashboard_health_timeline
{
    std::int64_t from_ms = 0, to_ms = 0, bucket_ms = 600'000;
    std::int64_t success_calls = 0, failure_calls = 0, total_calls = 0;
    double success_rate = 0;
    std::vector<dashboard_health_point> points; // 144
};

struct dashboard_token_segment
{
    std::string key; // input | cached | output | reasoning
    std::int64_t tokens = 0;
    double share = 0;
};

struct dashboard_channel
{
    std::string auth_index; // "-" when none
    std::string source, account_snapshot, auth_label_snapshot, auth_provider_snapshot;
    std::int64_t calls = 0, failures = 0;
    double failure_rate = 0, success_rate = 0;
    std::int64_t tokens = 0;
    double cost = 0;
    std::optional<double> average_latency_ms;
    std::string tone; // bad | warn | good
};

struct dashboard_failure_source
{
    std::string source, source_hash, auth_index, account_snapshot, auth_label_snapshot,
        auth_provider_snapshot;
    std::int64_t calls = 0, failures = 0;
    double failure_rate = 0;
    std::int64_t last_seen_ms = 0;
    std::optional<double> average_latency_ms;
    std::string tone; // bad | warn
};

struct dashboard_recent_failure
{
    std::int64_t id = 0; // the event's id (cpamd's own field: the events page's keyset uses it)
    std::int64_t timestamp_ms = 0;
    std::string model, api_key_hash, api_key_alias, source, source_hash, auth_index;
    std::string account_snapshot, auth_label_snapshot, auth_provider_snapshot, auth_project_id_snapshot;
    std::string endpoint;
    std::optional<std::int64_t> duration_ms, fail_status_code;
    std::string fail_summary, response_metadata; // response_metadata: a JSON object or ""
    std::optional<std::int64_t> header_quota_recover_at_ms;
    std::optional<double> header_quota_used_percent;
    std::string header_quota_plan_type, header_error_kind, header_error_code, header_trace_id;
};

struct dashboard_summary
{
    std::int64_t today_start_ms = 0, now_ms = 0, rolling_30m_start_ms = 0;
    dashboard_today today;
    dashboard_rolling rolling_30m;
    std::vector<dashboard_model_row> top_models_today;
    std::vector<dashboard_model_row> model_cost_rank;
    std::vector<dashboard_traffic_point> traffic_timeline; // 24; hourly_activity derives from it
    dashboard_health_timeline health;
    std::vector<dashboard_token_segment> token_mix;        // 4
    std::vector<dashboard_channel> channel_health;         // <= 5
    std::vector<dashboard_failure_source> failure_sources; // <= 5
    std::vector<dashboard_recent_failure> recent_failures;
};

// Reads everything in one read transaction (prices included). p must be valid (the route checks).
dashboard_summary summarize_dashboard(store::connection& db, const dashboard_params& p);

} // namespace cpamd::analytics
