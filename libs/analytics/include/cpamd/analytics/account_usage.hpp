#pragma once

// The Accounts page's questions (analytics-api §3): one credential's lifetime usage
// (POST /v0/management/monitoring/account-history), its usage inside quota windows
// (POST …/account-window-usage), and the latest response-header snapshot per credential
// (GET …/header-snapshots). Figures are those of monitoring_result.hpp.
//
// A target names a credential by any of its identity fields; an event matches when every field
// the target gives equals the event's (account_key is the event's account: the first non-empty
// of account snapshot, auth label snapshot, source, auth index). A target with no field matches
// nothing (the route refuses it).

#include <cpamd/analytics/monitoring_result.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::analytics
{

struct account_target
{
    std::optional<std::string> account_key, account_snapshot, auth_file_snapshot, auth_provider_snapshot,
        auth_index, source;

    bool empty() const
    {
        return !account_key && !account_snapshot && !auth_file_snapshot && !auth_provider_snapshot &&
               !auth_index && !source;
    }
};

struct history_checkpoint
{
    std::int64_t last_event_id = 0; // the newest event the answer covers
    std::int64_t latest_id = 0;     // the newest stored event
    std::int64_t pending = 0;       // events stored but not covered (always 0: read in one snapshot)
    std::int64_t processed = 0;     // events covered
};

struct account_history_item
{
    std::string row_key;
    usage_totals totals;
    std::int64_t first_seen_ms = 0; // 0 when no request
    std::optional<event_item> latest_request;
    std::vector<event_item> recent_requests; // newest first, at most 10
    std::string sync_status;                 // "synced"
};

struct account_history
{
    history_checkpoint checkpoint;
    std::vector<account_history_item> items; // in the targets' order
};

// rows[i] pairs a row key with its target.
account_history
read_account_history(store::connection& db, const std::vector<std::pair<std::string, account_target>>& rows);

struct model_scope
{
    std::string kind, key;
    std::vector<std::string> models; // empty: every model
    bool complete = false;
};

struct usage_window
{
    std::string row_key, request_key, window_key, provider_window_id, period;
    std::int64_t from_ms = 0, to_ms = 0;
    std::optional<model_scope> scope;
    account_target target;
};

struct window_usage_item
{
    std::string row_key, request_key, window_key, provider_window_id, period;
    std::int64_t from_ms = 0, to_ms = 0;
    usage_totals totals;     // the requests inside the scope
    std::string sync_status; // "synced"
    // "unscoped" (no model list), "matched" (every request in scope), "partial" (some outside),
    // "unmatched" (requests, none in scope), "empty" (no request)
    std::string scope_match_status;
    std::int64_t unmatched_requests = 0; // the credential's requests outside the scope
};

std::vector<window_usage_item>
read_window_usage(store::connection& db, const std::vector<usage_window>& windows);

struct header_snapshot
{
    credential_names names;
    std::string credential_id, auth_project_id_snapshot, model;
    std::int64_t event_id = 0, timestamp_ms = 0;
    std::string response_metadata; // a JSON object or ""
    std::optional<std::int64_t> header_quota_recover_at_ms;
    std::optional<double> header_quota_used_percent;
    std::string header_quota_plan_type, header_error_kind, header_error_code, header_trace_id;
};

// Per credential (credential id), its newest event since since_ms that carries response-header
// metadata; newest first, at most `limit`.
std::vector<header_snapshot>
latest_header_snapshots(store::connection& db, std::int64_t since_ms, std::size_t limit);

} // namespace cpamd::analytics
