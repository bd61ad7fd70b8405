#pragma once

// The export JSONL codec (manager-api §5.7). One event = one JSON object + '\n', keys in this
// order (omitted when empty/absent unless marked *):
//   request_id, event_hash*, timestamp_ms*, timestamp*, provider, executor_type, model*,
//   analytics_model, requested_model, resolved_model, [response_model], endpoint, method, path,
//   auth_type, auth_index, source, source_hash, api_key_hash, [client_ip, x_forwarded_for,
//   user_agent], account_snapshot, auth_label_snapshot, auth_file_snapshot,
//   auth_provider_snapshot, auth_project_id_snapshot, auth_snapshot_at_ms, reasoning_effort,
//   service_tier, [request_service_tier, response_service_tier, cache_input_mode, stream], input_tokens*,
//   output_tokens*, reasoning_tokens*, cached_tokens*, cache_tokens*, cache_read_tokens*,
//   cache_creation_tokens*, total_tokens*, [token_breakdown], latency_ms, ttft_ms, failed*,
//   fail_status_code, fail_summary, header_quota_recover_at_ms, header_quota_used_percent,
//   header_quota_plan_type, header_error_kind, header_error_code, header_trace_id,
//   created_at_ms*, response_metadata
// Numbers and bools that are std::optional are written when present (also 0 / false);
// response_metadata is embedded as an object when it holds one.
//
// The keys in [] are ours, not upstream's: with them every field of an event survives export and
// import (upstream's importer ignores them). token_breakdown is written for events whose cost
// buckets came from a v2 breakdown ({"schema_version":2,"input":{uncached, cache read, cache
// write},"output":{total, reasoning}}). The client IP, XFF and user agent make an export personal
// data: treat it like the database.
//
// Reading back is parse_record() (an export record is recognised by its event_hash).

#include <cpamd/usage/event.hpp>
#include <string>

namespace cpamd::usage
{

// Appends the JSONL line for `ev` (including the trailing '\n') to `out`.
void append_export_line(std::string& out, const event& ev);

inline std::string export_line(const event& ev)
{
    std::string s;
    append_export_line(s, ev);
    return s;
}

} // namespace cpamd::usage
