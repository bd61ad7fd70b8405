#pragma once

// The question of POST /v0/management/monitoring/analytics (analytics-api §3): a time range, a
// filter, and which sections to answer. The route (libs/api) parses and validates the JSON body
// into this; analytics::run_monitoring (monitoring_analytics.hpp) answers it.
//
// Which events a filter keeps (docs/analytics.md, "Monitoring analytics"). Lists are OR within
// one list and AND across lists; an empty list does not constrain. Values compare exactly.
//   models              the analytics model (usage::event::model)
//   providers           provider, or the auth provider snapshot
//   accounts            account snapshot, auth label snapshot, source or auth index
//   api_key_hashes      the caller's key hash (SHA-256 hex)
//   credential_ids      the credential id: "<auth file snapshot>|<auth index>|<source hash>"
//   auth_files, auth_indices, source_hashes, project_ids (auth project id snapshot)
//   request_types       the endpoint ("POST /v1/responses")
//   header_error_kinds, header_error_codes, header_quota_plans, header_trace_ids
//   include_failed      false keeps successes only; failed_only keeps failures only (it wins)
//   min_latency_ms      > 0 keeps events with latency_ms >= it
//   cache_status        "" any, "hit" some cache column > 0 (cached, cache, cache read or
//                       cache creation tokens), "miss" none, "read" cache read > 0,
//                       "creation" cache creation > 0
//   search_query        a case-insensitive (ASCII) substring of any of: model, requested,
//                       resolved and response model, provider, endpoint, auth index, source,
//                       the five auth snapshots, request id, failure summary, header trace id,
//                       header error kind and code, the API key alias; or, with 8 or more
//                       characters, a prefix of the API key hash
//   search_api_key_hash with a search query: also keeps this key's events; alone: only them

#include <cpamd/analytics/local_time.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::analytics
{

struct monitoring_filter
{
    std::vector<std::string> models, providers, accounts, api_key_hashes, credential_ids, auth_files,
        auth_indices, source_hashes, project_ids, request_types, header_error_kinds, header_error_codes,
        header_quota_plans, header_trace_ids;
    bool include_failed = true;
    bool failed_only = false;
    std::int64_t min_latency_ms = 0;
    std::string cache_status; // "" | hit | miss | read | creation
    std::string search_query;
    std::string search_api_key_hash;
};

enum class summary_profile
{
    compact,
    full,
};

struct events_page_request
{
    int limit = 100; // 1..50000
    // The keyset: events strictly older than (before_ms, before_id) in (timestamp, id) order.
    std::optional<std::int64_t> before_ms, before_id;
};

struct drilldown_request
{
    std::int64_t from_ms = 0, to_ms = 0; // one clicked bucket, inside the range or not
    int limit = 20;                      // 1..100
};

struct monitoring_include
{
    bool summary = false;
    summary_profile profile = summary_profile::compact;
    bool summary_percentiles = false;
    bool summary_comparison = false;
    bool timeline = false;
    std::optional<granularity> timeline_granularity; // nullopt: auto_granularity(from, to)
    bool hourly_distribution = false;
    bool heatmap = false;
    bool anomaly_points = false;
    bool model_share = false;
    bool model_stats = false;
    bool channel_share = false;
    bool failure_sources = false;
    bool account_stats = false;
    bool credential_stats = false;
    bool credential_timeline = false;
    bool api_key_stats = false;
    bool api_key_timeline = false;
    bool filter_options = false;
    bool filter_selectors = false;
    bool task_buckets = false;
    int recent_failures = 0; // 0: not asked; at most 100
    std::optional<events_page_request> events_page;
    std::optional<drilldown_request> drilldown_preview;
};

struct monitoring_query
{
    std::int64_t from_ms = 0, to_ms = 0; // [from, to), from < to
    std::int64_t now_ms = 0;             // rolling 30 minutes end here
    zone time_zone;
    monitoring_filter filter;
    monitoring_include include;
};

} // namespace cpamd::analytics
