#include "monitoring_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::api::detail
{
namespace
{

namespace json = boost::json;
namespace an = analytics;

template <class T>
json::value nullable(const std::optional<T>& v)
{
    return v ? json::value(*v) : json::value(nullptr);
}

template <class T, class F>
json::array array_of(const std::vector<T>& rows, F row_json)
{
    json::array out;
    out.reserve(rows.size());
    for (const auto& r : rows)
        out.push_back(row_json(r));
    return out;
}

// For the section table at the bottom: a vector section through its row function.
template <auto RowJson>
constexpr auto list = [](const auto& rows) { return array_of(rows, RowJson); };

json::value text_list(const std::vector<std::string>& v)
{
    return array_of(v, [](const std::string& s) { return json::value(s); });
}

} // namespace

void put_totals(json::object& o, const an::usage_totals& t)
{
    o["calls"] = t.calls;
    o["success"] = t.success;
    o["failure"] = t.failure;
    o["success_calls"] = t.success; // the upstream's names for rows
    o["failure_calls"] = t.failure;
    o["success_rate"] = t.success_rate;
    o["failure_rate"] = t.failure_rate;
    o["input_tokens"] = t.input_tokens;
    o["output_tokens"] = t.output_tokens;
    o["reasoning_tokens"] = t.reasoning_tokens;
    o["cached_tokens"] = t.cached_tokens;
    o["cache_read_tokens"] = t.cache_read_tokens;
    o["cache_creation_tokens"] = t.cache_creation_tokens;
    o["total_tokens"] = t.total_tokens;
    o["tokens"] = t.total_tokens; // the upstream's name in timelines and shares
    o["cache_hit_tokens"] = t.cache_hit_tokens;
    o["cache_hit_rate"] = t.cache_hit_rate;
    o["cost"] = t.cost;
    o["average_latency_ms"] = nullable(t.average_latency_ms);
    o["last_seen_ms"] = t.last_seen_ms;
}

void put_names(json::object& o, const an::credential_names& n)
{
    o["source"] = n.source;
    o["source_hash"] = n.source_hash;
    o["auth_index"] = n.auth_index;
    o["auth_file_snapshot"] = n.auth_file_snapshot;
    o["account_snapshot"] = n.account_snapshot;
    o["auth_label_snapshot"] = n.auth_label_snapshot;
    o["auth_provider_snapshot"] = n.auth_provider_snapshot;
    o["provider"] = n.provider;
}

namespace
{

json::object summary_json(const an::monitoring_summary& s)
{
    json::object o;
    put_totals(o, s.totals);
    o["total_calls"] = s.totals.calls; // spec §1 names
    o["total_cost"] = s.totals.cost;
    o["average_cost_per_call"] = s.average_cost_per_call;
    o["zero_token_calls"] = s.zero_token_calls;
    o["rpm_30m"] = s.rpm_30m;
    o["tpm_30m"] = s.tpm_30m;
    o["active_days"] = s.active_days;
    o["avg_daily_requests"] = s.avg_daily_requests;
    o["avg_daily_tokens"] = s.avg_daily_tokens;
    o["approx_tasks"] = s.approx_tasks;
    o["approx_task_failures"] = s.approx_task_failures;
    o["approx_task_success_rate"] = s.approx_task_success_rate;
    o["zero_token_models"] = array_of(
        s.zero_token_models,
        [](const an::zero_token_model& m) {
            return json::object{{"model", m.model}, {"calls", m.calls}};
        }
    );
    o["p95_latency_ms"] = nullable(s.p95_latency_ms);
    o["p95_ttft_ms"] = nullable(s.p95_ttft_ms);
    return o;
}

json::object comparison_json(const an::summary_comparison& c)
{
    return json::object{
        {"from_ms", c.from_ms},
        {"to_ms", c.to_ms},
        {"calls", c.calls},
        {"total_calls", c.calls},
        {"success", c.success},
        {"success_calls", c.success},
        {"failure", c.failure},
        {"failure_calls", c.failure},
        {"success_rate", c.success_rate},
        {"total_tokens", c.total_tokens},
        {"cost", c.cost},
        {"total_cost", c.cost},
        {"calls_change", nullable(c.calls_change)},
        {"tokens_change", nullable(c.tokens_change)},
        {"cost_change", nullable(c.cost_change)},
        {"success_rate_change", nullable(c.success_rate_change)}};
}

json::object timeline_point_json(const an::timeline_point& p)
{
    json::object o{{"bucket_ms", p.bucket_ms}, {"end_ms", p.end_ms}, {"label", p.label}};
    put_totals(o, p.totals);
    o["p95_latency_ms"] = nullable(p.p95_latency_ms);
    o["p95_ttft_ms"] = nullable(p.p95_ttft_ms);
    return o;
}

json::object hour_cell_json(const an::hour_cell& h)
{
    return json::object{{"hour", h.hour}, {"calls", h.calls}, {"tokens", h.tokens}};
}

json::object contributor_json(const an::contributor& c)
{
    return json::object{{"key", c.key}, {"alias", c.alias}, {"calls", c.calls}, {"share", c.share}};
}

json::object heatmap_cell_json(const an::heatmap_cell& c)
{
    return json::object{
        {"weekday", c.weekday},
        {"hour", c.hour},
        {"calls", c.calls},
        {"success", c.success},
        {"failure", c.failure},
        {"tokens", c.tokens},
        {"cost", c.cost},
        {"failure_rate", c.failure_rate},
        {"top_models", array_of(c.top_models, contributor_json)},
        {"top_api_keys", array_of(c.top_api_keys, contributor_json)},
        {"top_providers", array_of(c.top_providers, contributor_json)}};
}

json::object anomaly_json(const an::anomaly_point& a)
{
    return json::object{
        {"bucket_ms", a.bucket_ms},
        {"label", a.label},
        {"flags", text_list(a.flags)},
        {"severity", a.severity},
        {"score", a.score},
        {"calls", a.calls},
        {"previous_calls", a.previous_calls},
        {"cost", a.cost},
        {"previous_cost", a.previous_cost},
        {"tokens_per_request", a.tokens_per_request},
        {"previous_tokens_per_request", a.previous_tokens_per_request},
        {"cache_hit_rate", a.cache_hit_rate},
        {"previous_cache_hit_rate", a.previous_cache_hit_rate},
        {"failure_rate", a.failure_rate},
        {"previous_failure_rate", a.previous_failure_rate},
        {"p95_latency_ms", nullable(a.p95_latency_ms)},
        {"previous_p95_latency_ms", nullable(a.previous_p95_latency_ms)}};
}

json::object model_row_json(const an::model_row& m)
{
    json::object o{{"model", m.model}};
    put_totals(o, m.totals);
    o["calls_share"] = m.calls_share;
    o["tokens_share"] = m.tokens_share;
    o["cost_share"] = m.cost_share;
    return o;
}

json::object channel_row_json(const an::channel_row& c)
{
    json::object o{{"channel", c.channel}};
    put_names(o, c.names);
    put_totals(o, c.totals);
    o["calls_share"] = c.calls_share;
    o["cost_share"] = c.cost_share;
    return o;
}

json::object failure_source_json(const an::failure_source_row& f)
{
    json::object o;
    put_names(o, f.names);
    o["calls"] = f.calls;
    o["failures"] = f.failures;
    o["failure_rate"] = f.failure_rate;
    o["last_seen_ms"] = f.last_seen_ms;
    o["last_failure_ms"] = f.last_failure_ms;
    o["average_latency_ms"] = nullable(f.average_latency_ms);
    return o;
}

// A nested row: "key", and the same value under its kind ("model", "account").
json::array keyed_rows(const std::vector<an::keyed_totals>& rows, std::string_view kind)
{
    return array_of(
        rows,
        [kind](const an::keyed_totals& k)
        {
            json::object o{{"key", k.key}, {kind, k.key}};
            put_totals(o, k.totals);
            return o;
        }
    );
}

json::object account_row_json(const an::account_row& a)
{
    json::object o{{"account", a.account}};
    put_names(o, a.names);
    put_totals(o, a.totals);
    o["models"] = keyed_rows(a.models, "model");
    return o;
}

json::object credential_row_json(const an::credential_row& c)
{
    json::object o{{"credential_id", c.credential_id}};
    put_names(o, c.names);
    put_totals(o, c.totals);
    return o;
}

json::object series_point_json(const an::series_point& p)
{
    return json::object{
        {"bucket_ms", p.bucket_ms},
        {"calls", p.calls},
        {"success", p.success},
        {"failure", p.failure},
        {"total_tokens", p.total_tokens},
        {"tokens", p.total_tokens},
        {"cost", p.cost}};
}

json::object series_json(const an::series& s)
{
    return json::object{
        {"key", s.key}, {"alias", s.alias}, {"points", array_of(s.points, series_point_json)}};
}

json::object api_key_row_json(const an::api_key_row& k)
{
    json::object o{{"api_key_hash", k.api_key_hash}, {"alias", k.alias}};
    put_totals(o, k.totals);
    o["models"] = keyed_rows(k.models, "model");
    o["accounts"] = keyed_rows(k.accounts, "account");
    return o;
}

json::object option_count_json(const an::option_count& c)
{
    return json::object{{"value", c.value}, {"alias", c.alias}, {"calls", c.calls}};
}

json::object filter_options_json(const an::filter_options& f)
{
    return json::object{
        {"providers", array_of(f.providers, option_count_json)},
        {"auth_files", array_of(f.auth_files, option_count_json)},
        {"project_ids", array_of(f.project_ids, option_count_json)},
        {"request_types", array_of(f.request_types, option_count_json)},
        {"header_error_kinds", array_of(f.header_error_kinds, option_count_json)},
        {"header_error_codes", array_of(f.header_error_codes, option_count_json)},
        {"header_quota_plans", array_of(f.header_quota_plans, option_count_json)},
        {"header_trace_ids", array_of(f.header_trace_ids, option_count_json)},
        {"models", array_of(f.models, model_row_json)},
        {"accounts", array_of(f.accounts, account_row_json)},
        {"api_keys", array_of(f.api_keys, api_key_row_json)},
        {"channels", array_of(f.channels, channel_row_json)}};
}

json::object filter_selectors_json(const an::filter_selectors& s)
{
    return json::object{
        {"models", array_of(s.models, option_count_json)},
        {"api_keys", array_of(s.api_keys, option_count_json)},
        {"providers", array_of(s.providers, option_count_json)},
        {"auth_files", array_of(s.auth_files, option_count_json)},
        {"accounts", array_of(s.accounts, option_count_json)},
        {"total_calls", s.total_calls}};
}

json::object task_bucket_json(const an::task_bucket& t)
{
    json::object o{{"task_key", t.task_key}, {"timestamp_ms", t.timestamp_ms}};
    put_names(o, t.names);
    o["calls"] = t.calls;
    o["failures"] = t.failures;
    o["total_tokens"] = t.total_tokens;
    o["cost"] = t.cost;
    o["models"] = text_list(t.models);
    o["endpoints"] = text_list(t.endpoints);
    o["average_latency_ms"] = nullable(t.average_latency_ms);
    o["max_latency_ms"] = nullable(t.max_latency_ms);
    return o;
}

} // namespace

json::value metadata_json(const std::string& text)
{
    if (text.empty())
        return nullptr;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    return !ec && v.is_object() ? v : json::value(nullptr);
}

json::object event_item_json(const an::event_item& e)
{
    json::object o{{"id", e.id}, {"timestamp_ms", e.timestamp_ms}};
    put_names(o, e.names);
    o["request_id"] = e.request_id;
    o["model"] = e.model;
    o["requested_model"] = e.requested_model;
    o["resolved_model"] = e.resolved_model;
    o["response_model"] = e.response_model;
    o["provider"] = e.provider; // after put_names: the event's own provider wins
    o["executor"] = e.executor;
    o["endpoint"] = e.endpoint;
    o["reasoning_effort"] = e.reasoning_effort;
    o["service_tier"] = e.service_tier;
    o["client_ip"] = e.client_ip;
    o["user_agent"] = e.user_agent;
    o["auth_type"] = e.auth_type;
    o["auth_project_id_snapshot"] = e.auth_project_id_snapshot;
    o["api_key_hash"] = e.api_key_hash;
    o["api_key_alias"] = e.api_key_alias;
    o["stream"] = nullable(e.stream);
    o["failed"] = e.failed;
    o["fail_status_code"] = nullable(e.fail_status_code);
    o["fail_summary"] = e.fail_summary;
    o["input_tokens"] = e.input_tokens;
    o["output_tokens"] = e.output_tokens;
    o["reasoning_tokens"] = e.reasoning_tokens;
    o["cached_tokens"] = e.cached_tokens;
    o["cache_read_tokens"] = e.cache_read_tokens;
    o["cache_creation_tokens"] = e.cache_creation_tokens;
    o["total_tokens"] = e.total_tokens;
    o["cost"] = e.cost;
    o["latency_ms"] = nullable(e.latency_ms);
    o["ttft_ms"] = nullable(e.ttft_ms);
    o["response_metadata"] = metadata_json(e.response_metadata);
    o["header_quota_recover_at_ms"] = nullable(e.header_quota_recover_at_ms);
    o["header_quota_used_percent"] = nullable(e.header_quota_used_percent);
    o["header_quota_plan_type"] = e.header_quota_plan_type;
    o["header_error_kind"] = e.header_error_kind;
    o["header_error_code"] = e.header_error_code;
    o["header_trace_id"] = e.header_trace_id;
    return o;
}

namespace
{

json::object events_json(const an::events_page& p)
{
    return json::object{
        {"items", array_of(p.items, event_item_json)},
        {"next_before_ms", nullable(p.next_before_ms)},
        {"next_before_id", nullable(p.next_before_id)},
        {"has_more", p.has_more},
        {"total_count", p.total_count}};
}

json::object drilldown_json(const an::drilldown_preview& d)
{
    return json::object{
        {"from_ms", d.from_ms},
        {"to_ms", d.to_ms},
        {"items", array_of(d.items, event_item_json)},
        {"total_count", d.total_count}};
}

template <class T, class F>
void put_section(json::object& o, std::string_view key, const std::optional<T>& section, F section_json)
{
    if (section)
        o[key] = section_json(*section);
}

} // namespace

json::object monitoring_json(const an::monitoring_result& r, std::int64_t generated_at_ms)
{
    json::object o{
        {"generated_at_ms", generated_at_ms},
        {"from_ms", r.from_ms},
        {"to_ms", r.to_ms},
        {"time_zone", r.time_zone},
        {"granularity", r.granularity}};
    // Spec §3's section keys, in its order.
    put_section(o, "summary", r.summary, summary_json);
    put_section(o, "summary_comparison", r.comparison, comparison_json);
    put_section(o, "timeline", r.timeline, list<timeline_point_json>);
    put_section(o, "hourly_distribution", r.hourly_distribution, list<hour_cell_json>);
    put_section(o, "heatmap", r.heatmap, list<heatmap_cell_json>);
    put_section(o, "anomaly_points", r.anomaly_points, list<anomaly_json>);
    put_section(o, "model_share", r.model_share, list<model_row_json>);
    put_section(o, "model_stats", r.model_stats, list<model_row_json>);
    put_section(o, "channel_share", r.channel_share, list<channel_row_json>);
    put_section(o, "failure_sources", r.failure_sources, list<failure_source_json>);
    put_section(o, "account_stats", r.account_stats, list<account_row_json>);
    put_section(o, "credential_stats", r.credential_stats, list<credential_row_json>);
    put_section(o, "credential_timeline", r.credential_timeline, list<series_json>);
    put_section(o, "api_key_stats", r.api_key_stats, list<api_key_row_json>);
    put_section(o, "api_key_timeline", r.api_key_timeline, list<series_json>);
    put_section(o, "filter_options", r.options, filter_options_json);
    put_section(o, "filter_selectors", r.selectors, filter_selectors_json);
    put_section(o, "task_buckets", r.task_buckets, list<task_bucket_json>);
    put_section(o, "recent_failures", r.recent_failures, list<event_item_json>);
    put_section(o, "events", r.events, events_json);
    put_section(o, "drilldown_preview", r.drilldown, drilldown_json);
    return o;
}

} // namespace cpamd::api::detail
