#pragma once

// The answer of POST /v0/management/monitoring/analytics (analytics-api §1, §3). Each section is
// set only when the query asked for it. Definitions shared by every row (docs/analytics.md):
//  * calls = events; success/failure by `failed`; rates = part / calls, 0 when no calls.
//  * input_tokens is the normalized total input: the event's uncached + cache read + cache write
//    cost buckets (usage::cost_tokens). cache_read_tokens, cache_creation_tokens, output_tokens,
//    reasoning_tokens and total_tokens are the record's own counters summed. cached_tokens is
//    the legacy cached input no cache-read counter covers: max(sum of cost cache read - sum of
//    cache_read_tokens, 0). cache_hit_rate = min((cached + cache_read) / input, 1), 0 when no input.
//  * cost: every event priced at read time with the current prices (pricing::cost_usd, as
//    analytics::cost_between).
//  * average latency over samples > 0 ms (null when none). P95 latency and TTFT: nearest rank
//    ceil(0.95 n) over samples > 0, read from log histograms (store::latency_histogram), so
//    within 2 % of the exact value.
//  * an event's account: the first non-empty of account snapshot, auth label snapshot, source,
//    auth index. Its credential id: "<auth file snapshot>|<auth index>|<source hash>".
//  * local hours, days and weekdays (0 = Sunday) in the query's zone (local_time.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::analytics
{

struct usage_totals
{
    std::int64_t calls = 0, success = 0, failure = 0;
    double success_rate = 0, failure_rate = 0;
    std::int64_t input_tokens = 0, output_tokens = 0, reasoning_tokens = 0, cached_tokens = 0,
                 cache_read_tokens = 0, cache_creation_tokens = 0, total_tokens = 0;
    std::int64_t cache_hit_tokens = 0; // cached + cache_read
    double cache_hit_rate = 0;
    double cost = 0;
    std::optional<double> average_latency_ms;
    std::int64_t last_seen_ms = 0; // the newest event (0 when none)
};

struct zero_token_model
{
    std::string model;
    std::int64_t calls = 0; // successful calls with total_tokens = 0
};

struct monitoring_summary
{
    usage_totals totals;
    double average_cost_per_call = 0;
    std::int64_t zero_token_calls = 0; // successful calls with total_tokens = 0
    // Full profile only (zero in compact).
    double rpm_30m = 0, tpm_30m = 0;                     // calls and tokens of [now - 30 min, now) per minute
    std::int64_t active_days = 0;                        // local days with at least one call
    double avg_daily_requests = 0, avg_daily_tokens = 0; // / active_days
    // Approximate tasks: events grouped by (timestamp, source hash, auth index); a task fails
    // when any of its events failed.
    std::int64_t approx_tasks = 0, approx_task_failures = 0;
    double approx_task_success_rate = 0;
    std::vector<zero_token_model> zero_token_models; // most calls first
    // Full profile or summary_percentiles.
    std::optional<double> p95_latency_ms, p95_ttft_ms;
};

struct summary_comparison
{
    std::int64_t from_ms = 0, to_ms = 0; // [from - (to - from), from)
    std::int64_t calls = 0, success = 0, failure = 0;
    double success_rate = 0;
    std::int64_t total_tokens = 0;
    double cost = 0;
    // Changes of the current range against it, relative (null when the previous one is 0).
    std::optional<double> calls_change, tokens_change, cost_change;
    std::optional<double> success_rate_change; // current - previous; null when either has no calls
};

struct timeline_point
{
    std::int64_t bucket_ms = 0, end_ms = 0; // [bucket_ms, end_ms), UTC
    std::string label;                      // local: "2026-03-08 03:00" or "2026-03-08"
    usage_totals totals;
    std::optional<double> p95_latency_ms, p95_ttft_ms;
};

struct hour_cell
{
    int hour = 0; // local 0-23
    std::int64_t calls = 0, tokens = 0;
};

struct contributor
{
    std::string key;   // model, API key hash or provider
    std::string alias; // API keys only
    std::int64_t calls = 0;
    double share = 0; // of the cell's calls
};

struct heatmap_cell
{
    int weekday = 0; // 0 = Sunday
    int hour = 0;
    std::int64_t calls = 0, success = 0, failure = 0, tokens = 0;
    double cost = 0, failure_rate = 0;
    std::vector<contributor> top_models, top_api_keys, top_providers; // <= 3 each, most calls first
};

struct anomaly_point
{
    std::int64_t bucket_ms = 0;
    std::string label;
    std::vector<std::string> flags; // dashboard order: request_spike, cost_spike, ...
    std::string severity;           // low | medium | high
    double score = 0;
    std::int64_t calls = 0, previous_calls = 0;
    double cost = 0, previous_cost = 0;
    double tokens_per_request = 0, previous_tokens_per_request = 0;
    double cache_hit_rate = 0, previous_cache_hit_rate = 0;
    double failure_rate = 0, previous_failure_rate = 0;
    std::optional<double> p95_latency_ms, previous_p95_latency_ms;
};

struct model_row
{
    std::string model;
    usage_totals totals;
    double calls_share = 0, tokens_share = 0, cost_share = 0; // of all filtered events
};

struct credential_names
{
    std::string source, source_hash, auth_index, auth_file_snapshot, account_snapshot, auth_label_snapshot,
        auth_provider_snapshot, provider;
};

struct channel_row
{
    std::string channel; // the auth index, else the source, else "-"
    credential_names names;
    usage_totals totals;
    double calls_share = 0, cost_share = 0;
};

struct failure_source_row
{
    credential_names names; // keyed by (source hash, auth index)
    std::int64_t calls = 0, failures = 0;
    double failure_rate = 0;
    std::int64_t last_seen_ms = 0; // the newest event of the pair
    std::int64_t last_failure_ms = 0;
    std::optional<double> average_latency_ms;
};

struct keyed_totals
{
    std::string key;
    usage_totals totals;
};

struct account_row
{
    std::string account; // the account key (see top)
    credential_names names;
    usage_totals totals;
    std::vector<keyed_totals> models; // most calls first
};

struct credential_row
{
    std::string credential_id;
    credential_names names;
    usage_totals totals;
};

struct series_point
{
    std::int64_t bucket_ms = 0;
    std::int64_t calls = 0, success = 0, failure = 0, total_tokens = 0;
    double cost = 0;
};

struct series
{
    std::string key; // credential id or API key hash
    std::string alias;
    std::vector<series_point> points; // one per timeline bucket
};

struct api_key_row
{
    std::string api_key_hash, alias;
    usage_totals totals;
    std::vector<keyed_totals> models;   // most calls first
    std::vector<keyed_totals> accounts; // by the event's account, most calls first
};

struct option_count
{
    std::string value;
    std::string alias; // API keys only
    std::int64_t calls = 0;
};

struct filter_options
{
    // Over the base scope: the range and the search, without any other filter. Non-empty values
    // only, at most 200 per list.
    std::vector<option_count> providers, auth_files, project_ids, request_types, header_error_kinds,
        header_error_codes, header_quota_plans, header_trace_ids;
    std::vector<model_row> models;
    std::vector<account_row> accounts;
    std::vector<api_key_row> api_keys;
    std::vector<channel_row> channels;
};

struct filter_selectors
{
    // Over the range alone (no filter, no search). Non-empty values only, at most 500 per list.
    std::vector<option_count> models, api_keys, providers, auth_files, accounts;
    std::int64_t total_calls = 0;
};

struct task_bucket
{
    std::string task_key; // "<timestamp in ns since the epoch>|<source hash>|<auth index>"
    std::int64_t timestamp_ms = 0;
    credential_names names;
    std::int64_t calls = 0, failures = 0, total_tokens = 0;
    double cost = 0;
    std::vector<std::string> models, endpoints; // distinct, sorted
    std::optional<double> average_latency_ms;
    std::optional<std::int64_t> max_latency_ms;
};

// One request, as the monitoring table shows it. The raw failure body is never here.
struct event_item
{
    std::int64_t id = 0, timestamp_ms = 0;
    std::string request_id, model, requested_model, resolved_model, response_model, provider, executor,
        endpoint, reasoning_effort, service_tier, client_ip, user_agent, auth_type;
    credential_names names;
    std::string auth_project_id_snapshot, api_key_hash, api_key_alias;
    std::optional<bool> stream;
    bool failed = false;
    std::optional<std::int64_t> fail_status_code;
    std::string fail_summary;
    std::int64_t input_tokens = 0, output_tokens = 0, reasoning_tokens = 0, cached_tokens = 0,
                 cache_read_tokens = 0, cache_creation_tokens = 0, total_tokens = 0;
    double cost = 0;
    std::optional<std::int64_t> latency_ms, ttft_ms;
    std::string response_metadata; // a JSON object or ""
    std::optional<std::int64_t> header_quota_recover_at_ms;
    std::optional<double> header_quota_used_percent;
    std::string header_quota_plan_type, header_error_kind, header_error_code, header_trace_id;
};

struct events_page
{
    std::vector<event_item> items; // newest first: (timestamp, id) descending
    std::optional<std::int64_t> next_before_ms, next_before_id;
    bool has_more = false;
    std::int64_t total_count = 0; // every filtered event of the range
};

struct drilldown_preview
{
    std::int64_t from_ms = 0, to_ms = 0;
    std::vector<event_item> items;
    std::int64_t total_count = 0;
};

struct monitoring_result
{
    std::int64_t from_ms = 0, to_ms = 0;
    std::string time_zone;
    std::string granularity; // hour | day (the timeline's, also for series)
    std::optional<monitoring_summary> summary;
    std::optional<summary_comparison> comparison;
    std::optional<std::vector<timeline_point>> timeline;
    std::optional<std::vector<hour_cell>> hourly_distribution; // 24
    std::optional<std::vector<heatmap_cell>> heatmap;          // 168, Sunday 00:00 first
    std::optional<std::vector<anomaly_point>> anomaly_points;  // <= 50, highest score first
    std::optional<std::vector<model_row>> model_share, model_stats;
    std::optional<std::vector<channel_row>> channel_share;
    std::optional<std::vector<failure_source_row>> failure_sources;
    std::optional<std::vector<account_row>> account_stats;
    std::optional<std::vector<credential_row>> credential_stats;
    std::optional<std::vector<series>> credential_timeline, api_key_timeline;
    std::optional<std::vector<api_key_row>> api_key_stats;
    std::optional<filter_options> options;
    std::optional<filter_selectors> selectors;
    std::optional<std::vector<task_bucket>> task_buckets; // <= 500, newest first
    std::optional<std::vector<event_item>> recent_failures;
    std::optional<events_page> events;
    std::optional<drilldown_preview> drilldown;
};

} // namespace cpamd::analytics
