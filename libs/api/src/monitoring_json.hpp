#pragma once

// monitoring_result -> the JSON answer of POST /v0/management/monitoring/analytics
// (analytics-api §3; docs/analytics.md, "Monitoring analytics", has the table of sections).
//
// Field names are the struct members' (snake_case already). A row's `totals` (usage_totals) and
// `names` (credential_names) are flattened into the row, which also carries the upstream's
// names for the same numbers (success_calls, failure_calls, tokens; the summary also
// total_calls and total_cost), so either spelling reads. Optional values are null; sections the
// result does not hold are absent.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cpamd/analytics/monitoring_result.hpp>
#include <cstdint>
#include <string>

namespace cpamd::api::detail
{

boost::json::object monitoring_json(const analytics::monitoring_result& r, std::int64_t generated_at_ms);

// The pieces other monitoring answers share (account history, window usage, header snapshots).
void put_totals(boost::json::object& o, const analytics::usage_totals& t);
void put_names(boost::json::object& o, const analytics::credential_names& n);
boost::json::object event_item_json(const analytics::event_item& e);
// Stored as text; answered as the object it is (null when empty or not an object).
boost::json::value metadata_json(const std::string& text);

} // namespace cpamd::api::detail
