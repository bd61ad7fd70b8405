#include <cpamd/usage/analytics_model.hpp>
#include <cpamd/usage/export_codec.hpp>
#include <cpamd/usage/go_object_writer.hpp>

namespace cpamd::usage
{

namespace
{

// Only our own compact objects are stored in response_metadata; anything else is skipped, as
// upstream emits it only when it is a valid object.
void raw_object(go_object_writer& w, std::string_view key, std::string_view json_object)
{
    if (json_object.size() < 2 || json_object.front() != '{' || json_object.back() != '}')
        return;
    w.raw(key) += json_object;
}

// The canonical buckets as a v2 token_breakdown, which the importer reads back first: without it
// an import re-derives them from the flat counters, which a breakdown need not agree with.
void breakdown(go_object_writer& w, const event& ev)
{
    if (ev.semantics != token_semantics::breakdown_v2)
        return;
    std::string& out = w.raw("token_breakdown");
    out += "{\"schema_version\":2,\"input\":";
    go_object_writer in(out);
    in.num("uncached_tokens", ev.cost.input_uncached);
    in.num("cache_read_tokens", ev.cost.cache_read);
    in.num("cache_write_tokens", ev.cost.cache_write);
    in.close();
    out += ",\"output\":";
    go_object_writer o(out);
    o.num("total_tokens", ev.cost.output);
    o.num("reasoning_tokens", ev.cost.reasoning);
    o.close();
    out += '}';
}

} // namespace

void append_export_line(std::string& out, const event& ev)
{
    go_object_writer w(out);
    w.opt_str("request_id", ev.request_id);
    w.str("event_hash", ev.event_hash);
    w.num("timestamp_ms", ev.timestamp_ms);
    w.str("timestamp", ev.timestamp);
    w.opt_str("provider", ev.provider);
    w.opt_str("executor_type", ev.executor_type);
    w.str("model", ev.model);
    w.opt_str("analytics_model", analytics_model(ev.model));
    w.opt_str("requested_model", ev.requested_model);
    w.opt_str("resolved_model", ev.resolved_model);
    w.opt_str("response_model", ev.response_model);
    w.opt_str("endpoint", ev.endpoint);
    w.opt_str("method", ev.method);
    w.opt_str("path", ev.path);
    w.opt_str("auth_type", ev.auth_type);
    w.opt_str("auth_index", ev.auth_index);
    w.opt_str("source", ev.source);
    w.opt_str("source_hash", ev.source_hash);
    w.opt_str("api_key_hash", ev.api_key_hash);
    w.opt_str("client_ip", ev.client_ip);
    w.opt_str("x_forwarded_for", ev.x_forwarded_for);
    w.opt_str("user_agent", ev.user_agent);
    w.opt_str("account_snapshot", ev.account_snapshot);
    w.opt_str("auth_label_snapshot", ev.auth_label_snapshot);
    w.opt_str("auth_file_snapshot", ev.auth_file_snapshot);
    w.opt_str("auth_provider_snapshot", ev.auth_provider_snapshot);
    w.opt_str("auth_project_id_snapshot", ev.auth_project_id_snapshot);
    w.opt_num("auth_snapshot_at_ms", ev.auth_snapshot_at_ms);
    w.opt_str("reasoning_effort", ev.reasoning_effort);
    w.opt_str("service_tier", ev.service_tier);
    w.opt_str("request_service_tier", ev.request_service_tier);
    w.opt_str("response_service_tier", ev.response_service_tier);
    w.opt_str("cache_input_mode", ev.cache_input_mode);
    if (ev.stream)
        w.boolean("stream", *ev.stream);
    w.num("input_tokens", ev.tokens.input);
    w.num("output_tokens", ev.tokens.output);
    w.num("reasoning_tokens", ev.tokens.reasoning);
    w.num("cached_tokens", ev.tokens.cached);
    w.num("cache_tokens", ev.tokens.cache);
    w.num("cache_read_tokens", ev.tokens.cache_read);
    w.num("cache_creation_tokens", ev.tokens.cache_creation);
    w.num("total_tokens", ev.tokens.total);
    breakdown(w, ev);
    w.opt_num("latency_ms", ev.latency_ms);
    w.opt_num("ttft_ms", ev.ttft_ms);
    w.boolean("failed", ev.failed);
    w.opt_num("fail_status_code", ev.fail_status_code);
    w.opt_str("fail_summary", ev.fail_summary);
    w.opt_num("header_quota_recover_at_ms", ev.header_quota_recover_at_ms);
    w.opt_float("header_quota_used_percent", ev.header_quota_used_percent);
    w.opt_str("header_quota_plan_type", ev.header_quota_plan_type);
    w.opt_str("header_error_kind", ev.header_error_kind);
    w.opt_str("header_error_code", ev.header_error_code);
    w.opt_str("header_trace_id", ev.header_trace_id);
    w.num("created_at_ms", ev.created_at_ms);
    raw_object(w, "response_metadata", ev.response_metadata);
    w.close();
    out.push_back('\n');
}

} // namespace cpamd::usage
