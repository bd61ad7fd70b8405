#pragma once

// POST /v0/management/monitoring/analytics (analytics-api §3; docs/analytics.md, "Monitoring
// analytics"): every section the query asks for, over the events of [from_ms, to_ms) that the
// filter keeps (monitoring_query.hpp), in one read snapshot. Definitions: monitoring_result.hpp.
//
// Orders and limits (ties broken by the key, ascending):
//  * model, channel, account, credential and API-key rows, nested rows, zero-token models,
//    heatmap contributors (3 per list): most calls first.
//  * failure_sources: (source hash, auth index) pairs with a failure; most failures first, then
//    the newest failure.
//  * option and selector lists: most calls first.
//  * timeline: every local bucket of the range, empty ones included, oldest first. Series
//    (credential_timeline, api_key_timeline) use the same buckets; they cover the credential ids
//    (API key hashes) of the filter in the filter's order, or else the 5 with most calls.
//  * anomaly_points: anomaly_rules.hpp over consecutive timeline buckets.
//  * task_buckets: the newest 500 tasks, newest first; events, recent_failures and drilldown
//    items newest first by (timestamp, id).
//  * names of a group (credential_names): those of the group's newest event (largest
//    (timestamp in ns, event id)).

#include <cpamd/analytics/monitoring_query.hpp>
#include <cpamd/analytics/monitoring_result.hpp>
#include <cpamd/store/sqlite.hpp>

namespace cpamd::analytics
{

// q must be valid (the route checks: from < to, limits in range).
monitoring_result run_monitoring(store::connection& db, const monitoring_query& q);

} // namespace cpamd::analytics
