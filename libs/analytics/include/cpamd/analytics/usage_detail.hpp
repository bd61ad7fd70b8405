#pragma once

// One element of details[] in the compatible /usage payload (manager-api §5.6), written with
// the upstream's key order and omitempty rules (struct usage.Detail):
//   timestamp, source (always), auth_index, api_key_hash, account_snapshot, auth_label_snapshot,
//   auth_file_snapshot, auth_provider_snapshot, auth_project_id_snapshot, auth_snapshot_at_ms,
//   latency_ms, ttft_ms (present when known, also 0), requested_model (requested, else model),
//   resolved_model, response_model, reasoning_effort, service_tier, request_service_tier,
//   response_service_tier, cache_input_mode, stream (present when known, also false),
//   executor_type, tokens (always), failed (always), fail_status_code, fail_summary,
//   response_metadata (raw, only when it is a JSON object).
// response_model and stream are ours (CPA v7.3 record fields), not in upstream's usage.Detail.
// Never written: client IP, X-Forwarded-For, user agent, fail body, raw record.

#include <cpamd/usage/event.hpp>
#include <string>

namespace cpamd::analytics
{

// Appends the detail object for `ev` (no trailing separator) to `out`.
void append_usage_detail(std::string& out, const usage::event& ev);

} // namespace cpamd::analytics
