#include <boost/json/parse.hpp>
#include <cpamd/analytics/usage_detail.hpp>
#include <cpamd/core/go_json.hpp>
#include <cpamd/usage/go_object_writer.hpp>
#include <cpamd/usage/normalize_tokens.hpp>

namespace cpamd::analytics
{
namespace
{

// Go's encoder writes a json.RawMessage compacted and HTML-escaped; ours is stored compact.
void append_metadata(usage::go_object_writer& w, const std::string& stored)
{
    if (stored.empty())
        return;
    boost::system::error_code ec;
    auto v = boost::json::parse(stored, ec);
    if (ec || !v.is_object())
        return;
    std::string text = stored;
    go_json::escape_html_in_place(text);
    w.raw("response_metadata") += text;
}

} // namespace

void append_usage_detail(std::string& out, const usage::event& ev)
{
    usage::go_object_writer w(out);
    w.str("timestamp", ev.timestamp);
    w.str("source", ev.source);
    w.opt_str("auth_index", ev.auth_index);
    w.opt_str("api_key_hash", ev.api_key_hash);
    w.opt_str("account_snapshot", ev.account_snapshot);
    w.opt_str("auth_label_snapshot", ev.auth_label_snapshot);
    w.opt_str("auth_file_snapshot", ev.auth_file_snapshot);
    w.opt_str("auth_provider_snapshot", ev.auth_provider_snapshot);
    w.opt_str("auth_project_id_snapshot", ev.auth_project_id_snapshot);
    w.nonzero_num("auth_snapshot_at_ms", ev.auth_snapshot_at_ms);
    w.opt_num("latency_ms", ev.latency_ms);
    w.opt_num("ttft_ms", ev.ttft_ms);
    w.opt_str("requested_model", !ev.requested_model.empty() ? ev.requested_model : ev.model);
    w.opt_str("resolved_model", ev.resolved_model);
    w.opt_str("response_model", ev.response_model);
    w.opt_str("reasoning_effort", ev.reasoning_effort);
    w.opt_str("service_tier", ev.service_tier);
    w.opt_str("request_service_tier", ev.request_service_tier);
    w.opt_str("response_service_tier", ev.response_service_tier);
    w.opt_str("cache_input_mode", ev.cache_input_mode);
    if (ev.stream) // a Go *bool with omitempty: present when known, false included
        w.boolean("stream", *ev.stream);
    w.opt_str("executor_type", ev.executor_type);
    {
        std::string& o = w.raw("tokens");
        usage::go_object_writer t(o);
        const auto& k = ev.tokens;
        auto compat = usage::compat_cached_tokens(k);
        t.num("input_tokens", k.input);
        t.num("output_tokens", k.output);
        t.num("reasoning_tokens", k.reasoning);
        t.num("cached_tokens", compat);
        t.num("cache_tokens", compat);
        t.num("cache_read_tokens", k.cache_read);
        t.num("cache_creation_tokens", k.cache_creation);
        t.num("total_tokens", k.total);
        t.close();
    }
    w.boolean("failed", ev.failed);
    w.nonzero_num("fail_status_code", ev.fail_status_code);
    w.opt_str("fail_summary", ev.fail_summary);
    append_metadata(w, ev.response_metadata);
    w.close();
}

} // namespace cpamd::analytics
