#pragma once

// The body of POST /v0/management/monitoring/analytics (analytics-api §3) -> monitoring_query,
// validated so run_monitoring gets only what it accepts (docs/analytics.md, "Monitoring
// analytics", lists every rule).
//
// Errors are 400 {"error","code"} naming the field by its dotted path: code "invalid_<path>",
// message "<path> <what is wrong>" (invalid_from_ms "from_ms is required",
// invalid_filters.models "filters.models[2] must be a string",
// invalid_include.events_page.limit "include.events_page.limit must be between 1 and 50000").
// A body that is not a JSON object is invalid_json. Unknown keys are ignored, and null is the
// same as an absent key (as Go's decoder reads it), so newer panels keep working.

#include <cpamd/analytics/monitoring_query.hpp>
#include <cpamd/core/api_error.hpp>
#include <cstdint>
#include <string_view>
#include <variant>

namespace cpamd::api::detail
{

// Instants the store can hold as nanoseconds (years up to 2262), as dashboard_route.
inline constexpr std::int64_t max_request_instant_ms = 9'000'000'000'000;
inline constexpr std::size_t max_search_bytes = 200;
inline constexpr std::size_t max_filter_values = 500;
inline constexpr int max_events_page_limit = 50'000;
inline constexpr int max_drilldown_limit = 100;
inline constexpr int max_recent_failures = 100;
// A timeline (and its series) longer than this is refused: it would only build a huge answer.
inline constexpr std::int64_t max_timeline_buckets = 100'000;

// `clock_ms` is now_ms when the body has none.
std::variant<analytics::monitoring_query, api_error>
parse_monitoring_request(std::string_view body, std::int64_t clock_ms);

} // namespace cpamd::api::detail
