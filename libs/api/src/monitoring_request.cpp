#include "monitoring_request.hpp"

#include "json_fields.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <fmt/format.h>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace cpamd::api::detail
{
namespace
{

namespace json = boost::json;
namespace an = analytics;

using string_list = std::vector<std::string> an::monitoring_filter::*;
constexpr std::pair<std::string_view, string_list> filter_lists[] = {
    {"models", &an::monitoring_filter::models},
    {"providers", &an::monitoring_filter::providers},
    {"accounts", &an::monitoring_filter::accounts},
    {"api_key_hashes", &an::monitoring_filter::api_key_hashes},
    {"credential_ids", &an::monitoring_filter::credential_ids},
    {"auth_files", &an::monitoring_filter::auth_files},
    {"auth_indices", &an::monitoring_filter::auth_indices},
    {"source_hashes", &an::monitoring_filter::source_hashes},
    {"project_ids", &an::monitoring_filter::project_ids},
    {"request_types", &an::monitoring_filter::request_types},
    {"header_error_kinds", &an::monitoring_filter::header_error_kinds},
    {"header_error_codes", &an::monitoring_filter::header_error_codes},
    {"header_quota_plans", &an::monitoring_filter::header_quota_plans},
    {"header_trace_ids", &an::monitoring_filter::header_trace_ids},
};

using include_flag = bool an::monitoring_include::*;
constexpr std::pair<std::string_view, include_flag> include_flags[] = {
    {"summary", &an::monitoring_include::summary},
    {"summary_percentiles", &an::monitoring_include::summary_percentiles},
    {"summary_comparison", &an::monitoring_include::summary_comparison},
    {"timeline", &an::monitoring_include::timeline},
    {"hourly_distribution", &an::monitoring_include::hourly_distribution},
    {"heatmap", &an::monitoring_include::heatmap},
    {"anomaly_points", &an::monitoring_include::anomaly_points},
    {"model_share", &an::monitoring_include::model_share},
    {"model_stats", &an::monitoring_include::model_stats},
    {"channel_share", &an::monitoring_include::channel_share},
    {"failure_sources", &an::monitoring_include::failure_sources},
    {"account_stats", &an::monitoring_include::account_stats},
    {"credential_stats", &an::monitoring_include::credential_stats},
    {"credential_timeline", &an::monitoring_include::credential_timeline},
    {"api_key_stats", &an::monitoring_include::api_key_stats},
    {"api_key_timeline", &an::monitoring_include::api_key_timeline},
    {"filter_options", &an::monitoring_include::filter_options},
    {"filter_selectors", &an::monitoring_include::filter_selectors},
    {"task_buckets", &an::monitoring_include::task_buckets},
};

// A required instant range of an object: from_ms < to_ms.
std::pair<std::int64_t, std::int64_t> read_range(const fields& f)
{
    auto from = f.integer("from_ms", 0, max_request_instant_ms);
    if (!from)
        f.fail("from_ms", "is required");
    auto to = f.integer("to_ms", 0, max_request_instant_ms);
    if (!to)
        f.fail("to_ms", "is required");
    if (*from >= *to)
        f.fail("to_ms", "must be greater than from_ms");
    return {*from, *to};
}

an::monitoring_filter read_filter(const fields& top)
{
    an::monitoring_filter out;
    out.search_query = top.text("search_query", max_search_bytes);
    out.search_api_key_hash = top.text("search_api_key_hash", max_search_bytes);
    auto f = top.object("filters");
    if (!f)
        return out;
    for (const auto& [key, list] : filter_lists)
        out.*list = f->strings(key, max_filter_values);
    out.include_failed = f->boolean("include_failed", true);
    out.failed_only = f->boolean("failed_only", false);
    out.min_latency_ms = f->integer("min_latency_ms", 0, int64_max).value_or(0);
    out.cache_status = f->choice("cache_status", {"", "hit", "miss", "read", "creation"});
    return out;
}

// 0 (as absent) is the default page, as the upstream reads it.
an::events_page_request read_events_page(const fields& f)
{
    an::events_page_request out;
    if (auto limit = f.integer("limit", 0, max_events_page_limit); limit && *limit > 0)
        out.limit = static_cast<int>(*limit);
    out.before_ms = f.integer("before_ms", 0, max_request_instant_ms);
    out.before_id = f.integer("before_id", 0, int64_max);
    // An id orders only events of the same instant: alone it is no position.
    if (out.before_id && !out.before_ms)
        f.fail("before_id", "needs before_ms");
    return out;
}

an::drilldown_request read_drilldown(const fields& f)
{
    an::drilldown_request out;
    std::tie(out.from_ms, out.to_ms) = read_range(f);
    if (auto limit = f.integer("limit", 0, max_drilldown_limit); limit && *limit > 0)
        out.limit = static_cast<int>(*limit);
    return out;
}

an::monitoring_include read_include(const fields& top, std::int64_t from_ms, std::int64_t to_ms)
{
    an::monitoring_include out;
    auto f = top.object("include");
    if (!f)
        return out;
    for (const auto& [key, flag] : include_flags)
        out.*flag = f->boolean(key, false);
    if (f->choice("summary_profile", {"", "compact", "full"}) == "full")
        out.profile = an::summary_profile::full;
    const auto g = f->choice("granularity", {"", "auto", "hour", "day"});
    if (g == "hour")
        out.timeline_granularity = an::granularity::hour;
    else if (g == "day")
        out.timeline_granularity = an::granularity::day;
    out.recent_failures = static_cast<int>(f->integer("recent_failures", 0, max_recent_failures).value_or(0));
    if (auto page = f->object("events_page"))
        out.events_page = read_events_page(*page);
    if (auto drill = f->object("drilldown_preview"))
        out.drilldown_preview = read_drilldown(*drill);

    const bool has_buckets =
        out.timeline || out.anomaly_points || out.credential_timeline || out.api_key_timeline;
    const auto grain = out.timeline_granularity.value_or(an::auto_granularity(from_ms, to_ms));
    const auto width = grain == an::granularity::hour ? an::ms_per_hour : an::ms_per_day;
    // +1: a range not aligned to the grain touches one more bucket (DST adds at most one more).
    if (has_buckets && (to_ms - from_ms + width - 1) / width + 1 > max_timeline_buckets)
        f->fail(
            "granularity",
            fmt::format("gives more than {} timeline buckets for this range", max_timeline_buckets)
        );
    return out;
}

an::monitoring_query read_query(const json::object& body, std::int64_t clock_ms)
{
    const fields top(body, "");
    an::monitoring_query q;
    std::tie(q.from_ms, q.to_ms) = read_range(top);
    q.now_ms = top.integer("now_ms", 0, max_request_instant_ms).value_or(0);
    if (q.now_ms == 0) // 0 as absent, as the dashboard reads it
        q.now_ms = clock_ms;
    auto zone = an::find_zone(top.text("time_zone", max_search_bytes));
    if (!zone)
        top.fail("time_zone", "is not a known IANA time zone");
    q.time_zone = *zone;
    q.filter = read_filter(top);
    q.include = read_include(top, q.from_ms, q.to_ms);
    return q;
}

} // namespace

std::variant<analytics::monitoring_query, api_error>
parse_monitoring_request(std::string_view body, std::int64_t clock_ms)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return api_error{400, "invalid_json", "request body must be a JSON object"};
    try
    {
        return read_query(v.get_object(), clock_ms);
    }
    catch (const bad_field& e)
    {
        return api_error{400, "invalid_" + e.path, e.message};
    }
}

} // namespace cpamd::api::detail
