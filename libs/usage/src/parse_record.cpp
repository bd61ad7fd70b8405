#include "json_access.hpp"
#include "record_keys.hpp"
#include "record_time.hpp"

#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <cpamd/usage/event_hash.hpp>
#include <cpamd/usage/go_marshal.hpp>
#include <cpamd/usage/limits.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cpamd/usage/redact.hpp>
#include <cpamd/usage/response_headers.hpp>
#include <cpamd/usage/sha256.hpp>

namespace cpamd::usage
{

namespace
{

namespace json = boost::json;
using namespace detail;

constexpr std::size_t max_response_metadata_bytes = 8 * 1024;
constexpr std::size_t max_small_field_bytes = 1024; // ids, names, tiers: bounded, never huge

// Records are ~1-3 KB; their DOM fits in this stack buffer most of the time.
constexpr std::size_t dom_buffer_bytes = 16 * 1024;

// Trimmed again after the cut: spaces it leaves at the end would be trimmed when an export of
// the record is read back, and the two reads would disagree.
std::string cut(std::string_view s, std::size_t max_bytes = max_small_field_bytes)
{
    return std::string(trim(truncate_utf8(s, max_bytes)));
}

std::string upper(std::string_view s)
{
    std::string r = cut(s, 32);
    for (auto& c : r)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return r;
}

// The §6.2 timestamp sources, in order.
void search_record_timestamp(time_search& ts, const indexed_object& o)
{
    for (auto k :
         {rk::timestamp,
          rk::time,
          rk::created_at,
          rk::createdAt,
          rk::created,
          rk::request_time,
          rk::requestTime})
        if (ts.offer(o[k]))
            return;
}

void fill_endpoint(event& ev, const indexed_object& o)
{
    std::string_view method = first_string(o, {rk::method, rk::http_method, rk::httpMethod});
    std::string_view path = first_string(o, {rk::path, rk::url_path, rk::urlPath, rk::route});
    std::string_view endpoint = first_string(o, {rk::endpoint, rk::api, rk::request, rk::operation});
    ev.method = upper(method);
    ev.path = cut(path, 2048);
    if (!endpoint.empty())
        ev.endpoint = cut(endpoint, 2048);
    else if (!ev.method.empty() || !ev.path.empty())
        ev.endpoint = ev.method.empty() ? ev.path : ev.path.empty() ? ev.method : ev.method + " " + ev.path;
    else
        ev.endpoint = "-";
    if (ev.method.empty() || ev.path.empty())
    {
        std::string_view m, p;
        if (split_endpoint(ev.endpoint, m, p))
        {
            if (ev.method.empty())
                ev.method = m;
            if (ev.path.empty())
                ev.path = p;
        }
    }
}

// Fields with the same name in raw records and exports.
void fill_common(event& ev, const indexed_object& o)
{
    ev.request_id = cut(first_string(o, {rk::request_id, rk::requestId}));
    ev.provider = cut(first_string(o, {rk::provider}));
    ev.executor_type = cut(first_string(o, {rk::executor_type, rk::executorType}));
    ev.auth_type = cut(first_string(o, {rk::auth_type, rk::authType}));
    ev.auth_index = cut(first_string(o, {rk::auth_index, rk::authIndex}));
    ev.reasoning_effort = cut(first_string(o, {rk::reasoning_effort, rk::reasoningEffort}));
    ev.client_ip = cut(first_string(o, {rk::client_ip, rk::clientIp, rk::clientIP}), client_ip_max_bytes);
    ev.x_forwarded_for =
        cut(first_string(o, {rk::x_forwarded_for, rk::xForwardedFor}), x_forwarded_for_max_bytes);
    // Clients put anything into their user agent, keys included.
    ev.user_agent = redact_text(first_string(o, {rk::user_agent, rk::userAgent}), user_agent_max_bytes);
    ev.account_snapshot = cut(first_string(o, {rk::account_snapshot, rk::accountSnapshot}));
    ev.auth_label_snapshot = cut(first_string(o, {rk::auth_label_snapshot, rk::authLabelSnapshot}));
    ev.auth_file_snapshot = cut(first_string(o, {rk::auth_file_snapshot, rk::authFileSnapshot}));
    ev.auth_provider_snapshot = cut(first_string(o, {rk::auth_provider_snapshot, rk::authProviderSnapshot}));
    ev.auth_project_id_snapshot =
        cut(first_string(o, {rk::auth_project_id_snapshot, rk::authProjectIdSnapshot}));
    ev.auth_snapshot_at_ms = first_int(o, {rk::auth_snapshot_at_ms, rk::authSnapshotAtMs});
    ev.header_quota_plan_type = cut(first_string(o, {rk::header_quota_plan_type, rk::headerQuotaPlanType}));
    ev.header_error_kind = cut(first_string(o, {rk::header_error_kind, rk::headerErrorKind}));
    ev.header_error_code = cut(first_string(o, {rk::header_error_code, rk::headerErrorCode}));
    ev.header_trace_id = cut(first_string(o, {rk::header_trace_id, rk::headerTraceId}));
    ev.header_quota_recover_at_ms =
        first_int(o, {rk::header_quota_recover_at_ms, rk::headerQuotaRecoverAtMs});
    if (const auto* v = find_any(o, {rk::header_quota_used_percent, rk::headerQuotaUsedPercent}))
        ev.header_quota_used_percent = to_double(*v);
    // CPA v7.3 sends a JSON bool; anything else (a string, a number) is not a known value and is
    // left unset rather than guessed, so it cannot be mistaken for a record that said so.
    if (const auto* v = o[rk::stream]; v != nullptr && v->is_bool())
        ev.stream = v->get_bool();
}

struct token_read
{
    token_counts counts;
    bool any = false;           // at least one counter found
    bool total_present = false; // total_tokens|total found
};

// One counter: the first container (tokens, usage, top level) that has one of the keys.
std::optional<std::int64_t>
token_field(const std::array<const indexed_object*, 3>& containers, std::initializer_list<rk> keys)
{
    for (const auto* c : containers)
        if (auto v = first_int(*c, keys))
            return v;
    return std::nullopt;
}

// An index of o[k] if it is an object; an empty index (every key absent) otherwise.
indexed_object index_of(const indexed_object& o, rk k) noexcept
{
    const auto* c = find_object(o, k);
    return c != nullptr ? indexed_object(*c) : indexed_object();
}

token_read read_tokens(const indexed_object& o)
{
    indexed_object tokens = index_of(o, rk::tokens);
    indexed_object usage = index_of(o, rk::usage);
    std::array<const indexed_object*, 3> containers = {&tokens, &usage, &o};
    token_read r;
    auto set = [&](std::int64_t& out, std::initializer_list<rk> keys)
    {
        if (auto v = token_field(containers, keys))
        {
            out = *v;
            r.any = true;
            return true;
        }
        return false;
    };
    set(r.counts.input, {rk::input_tokens, rk::prompt_tokens, rk::inputTokens, rk::promptTokens});
    set(r.counts.output, {rk::output_tokens, rk::completion_tokens, rk::outputTokens, rk::completionTokens});
    set(r.counts.reasoning, {rk::reasoning_tokens, rk::reasoningTokens});
    set(r.counts.cached, {rk::cached_tokens, rk::cachedTokens});
    set(r.counts.cache, {rk::cache_tokens, rk::cacheTokens});
    set(r.counts.cache_read,
        {rk::cache_read_tokens, rk::cache_read_input_tokens, rk::cacheReadTokens, rk::cacheReadInputTokens});
    set(r.counts.cache_creation,
        {rk::cache_creation_tokens,
         rk::cache_creation_input_tokens,
         rk::cache_write_tokens,
         rk::cache_write_input_tokens,
         rk::cacheCreationTokens,
         rk::cacheCreationInputTokens,
         rk::cacheWriteTokens,
         rk::cacheWriteInputTokens});
    r.total_present = set(r.counts.total, {rk::total_tokens, rk::total, rk::totalTokens});
    return r;
}

std::optional<token_breakdown_v2> read_breakdown(const indexed_object& o)
{
    const json::object* found = find_object(o, rk::token_breakdown);
    if (found == nullptr)
        found = find_object(o, rk::tokenBreakdown);
    if (found == nullptr)
        return std::nullopt;
    indexed_object b(*found);
    auto version = first_int(b, {rk::schema_version, rk::schemaVersion});
    if (!version || *version != 2)
        return std::nullopt;
    const json::object* in_found = find_object(b, rk::input);
    const json::object* out_found = find_object(b, rk::output);
    if (in_found == nullptr || out_found == nullptr)
        return std::nullopt;
    indexed_object in(*in_found), out(*out_found);
    token_breakdown_v2 r;
    r.uncached = first_int(in, {rk::uncached_tokens, rk::uncachedTokens}).value_or(0);
    r.cache_read = first_int(in, {rk::cache_read_tokens, rk::cacheReadTokens}).value_or(0);
    r.cache_write = first_int(in, {rk::cache_write_tokens, rk::cacheWriteTokens}).value_or(0);
    r.output_total = first_int(out, {rk::total_tokens, rk::totalTokens}).value_or(0);
    r.reasoning = first_int(out, {rk::reasoning_tokens, rk::reasoningTokens}).value_or(0);
    return r;
}

token_semantics flat_semantics(const event& ev) noexcept
{
    if (!ev.provider.empty() && ev.provider != "unknown")
        return semantics_for_provider(ev.provider);
    std::string_view ex = ev.executor_type;
    if (ex.starts_with("Claude"))
        return token_semantics::claude;
    if (ex.starts_with("Gemini") || ex.starts_with("Vertex") || ex.starts_with("AIStudio") ||
        ex.starts_with("Antigravity"))
        return token_semantics::gemini;
    return token_semantics::openai;
}

// Raw counters, canonical buckets and the semantics used. Returns true if any token data.
bool fill_tokens(event& ev, const indexed_object& o)
{
    token_read r = read_tokens(o);
    ev.tokens = r.counts;
    if (auto b = read_breakdown(o))
    {
        ev.cost = cost_from_breakdown(*b);
        ev.semantics = token_semantics::breakdown_v2;
    }
    else
    {
        ev.semantics = flat_semantics(ev);
        ev.cost = cost_from_flat(ev.tokens, ev.semantics);
    }
    if (!r.total_present)
        ev.tokens.total = ev.cost.total();
    return r.any;
}

// "fail" object or fail_body / fail_status_code.
void fill_failure(event& ev, const indexed_object& o)
{
    const json::object* fail_found = find_object(o, rk::fail);
    std::string_view body;
    std::optional<std::int64_t> status;
    if (fail_found != nullptr)
    {
        indexed_object fail(*fail_found);
        if (const auto* b = fail[rk::body])
            if (const auto* s = b->if_string())
                body = *s;
        status = first_int(fail, {rk::status_code, rk::statusCode});
    }
    if (body.empty())
        body = first_string(o, {rk::fail_body, rk::failBody, rk::fail_summary, rk::failSummary});
    if (!status)
        status = first_int(
            o, {rk::fail_status_code, rk::failStatusCode, rk::status_code, rk::statusCode, rk::status}
        );

    if (auto f = first_bool(o, {rk::failed, rk::is_failed, rk::isFailed}))
        ev.failed = *f;
    else if (auto s = first_bool(o, {rk::success, rk::ok}))
        ev.failed = !*s;
    else if (status && *status >= 400)
        ev.failed = true;
    else if (const auto* e = find_any(o, {rk::error, rk::error_message, rk::errorMessage}))
        ev.failed = !(e->is_string() && trim(e->get_string()).empty());
    else
        ev.failed = false;

    if (ev.failed && status && *status > 0)
        ev.fail_status_code = status;
    if (!body.empty())
        ev.fail_summary = redact_text(body);
}

void fill_source(event& ev, const indexed_object& o)
{
    std::string_view raw_source =
        first_string(o, {rk::source, rk::api_key, rk::apiKey, rk::key, rk::account, rk::email});
    std::string_view raw_key = first_string(o, {rk::api_key, rk::apiKey, rk::key});
    if (!raw_source.empty())
    {
        ev.source_hash = sha256_hex(raw_source);
        // The client key used as source is a secret whatever its shape.
        ev.source = raw_source == raw_key ? mask_secret(raw_source) : mask_source(raw_source);
    }
    if (!raw_key.empty())
        ev.api_key_hash = sha256_hex(raw_key);
}

void fill_models(event& ev, const indexed_object& o, bool export_record)
{
    ev.requested_model = cut(first_string(o, {rk::alias, rk::requested_model, rk::requestedModel}));
    if (export_record)
    {
        ev.resolved_model = cut(first_string(o, {rk::resolved_model, rk::resolvedModel}));
        ev.model = cut(first_string(o, {rk::model}));
    }
    else
        ev.resolved_model = cut(
            first_string(o, {rk::resolved_model, rk::resolvedModel, rk::model, rk::model_name, rk::modelName})
        );
    if (ev.model.empty())
        ev.model = !ev.requested_model.empty()  ? ev.requested_model
                   : !ev.resolved_model.empty() ? ev.resolved_model
                                                : "-";
    // CPA v7.3: the model the upstream's response named (the best billing model). Never a fallback
    // for `model`, which the dedup hash uses.
    ev.response_model = cut(first_string(o, {rk::response_model, rk::responseModel}));
}

void fill_service_tier(event& ev, const indexed_object& o)
{
    ev.request_service_tier = cut(first_string(o, {rk::request_service_tier, rk::requestServiceTier}));
    std::string_view requested = first_string(o, {rk::service_tier, rk::serviceTier});
    if (ev.request_service_tier.empty())
        ev.request_service_tier = cut(requested);
    ev.response_service_tier = cut(first_string(o, {rk::response_service_tier, rk::responseServiceTier}));
    // Codex reports what it was asked; the others report what they served.
    bool request_first = ev.provider == "codex";
    const std::string& a = request_first ? ev.request_service_tier : ev.response_service_tier;
    const std::string& b = request_first ? ev.response_service_tier : ev.request_service_tier;
    ev.service_tier = !a.empty() ? a : b;
}

void set_timestamp(event& ev, utc_time t)
{
    ev.timestamp = format_rfc3339nano(t);
    ev.timestamp_ms = t.unix_ms();
}

// Why the parsed `ev` cannot be stored, if it cannot: no usable time, or a bound it breaks.
std::optional<boost::system::error_code> refusal(const event& ev, const time_search& ts)
{
    if (auto t = ts.result(); !t)
        return t.error();
    if (auto e = check_limits(ev))
        return make_error_code(*e);
    return std::nullopt;
}

boost::system::result<event>
parse_value(const json::value& v, const parse_options& opts, json::storage_ptr sp);
control_kind control_of(const json::object& o) noexcept;

} // namespace

control_kind control_payload_kind(const json::value& v) noexcept
{
    const auto* o = v.if_object();
    return o == nullptr ? control_kind::none : control_of(*o);
}

namespace
{

control_kind control_of(const json::object& o) noexcept
{
    if (o.size() != 1)
        return control_kind::none;
    const auto& kv = *o.begin();
    if (!kv.value().is_bool() || !kv.value().get_bool())
        return control_kind::none;
    if (kv.key() == "refresh")
        return control_kind::refresh;
    if (kv.key() == "support_refresh")
        return control_kind::support_refresh;
    return control_kind::none;
}

} // namespace

control_kind control_payload_kind(std::string_view payload) noexcept
{
    std::string_view t = trim(payload);
    // Cheap pre-check: every control payload is a tiny object.
    if (t.size() > 64 || t.size() < 2 || t.front() != '{' || t.back() != '}')
        return control_kind::none;
    unsigned char buf[512];
    json::monotonic_resource mr(buf, sizeof buf);
    boost::system::error_code ec;
    json::value v = json::parse(t, ec, &mr);
    if (ec)
        return control_kind::none;
    return control_payload_kind(v);
}

bool is_export_record(const json::object& o) noexcept
{
    return !first_string(o, {"event_hash", "eventHash"}).empty();
}

namespace
{

// `raw` is the record, `o` its index.
boost::system::result<event>
raw_record(const json::object& raw, const indexed_object& o, const parse_options& opts)
{
    if (control_of(raw) != control_kind::none)
        return errc::control_payload;
    utc_time now = opts.now.value_or(now_utc());
    event ev;
    time_search ts;
    search_record_timestamp(ts, o);
    set_timestamp(ev, ts.time_or_epoch()); // refused below if there is none
    fill_common(ev, o);
    fill_endpoint(ev, o);
    fill_models(ev, o, false);
    bool has_tokens = fill_tokens(ev, o);
    fill_failure(ev, o);
    fill_source(ev, o);
    fill_service_tier(ev, o);
    ev.latency_ms = first_int(o, {rk::latency_ms, rk::latencyMs});
    if (auto t = first_int(o, {rk::ttft_ms, rk::ttftMs}); t && *t > 0)
        ev.ttft_ms = t;
    if (const auto* h = find_object(o, rk::response_headers))
    {
        header_info hi =
            extract_response_headers(*h, saturating_add(ev.timestamp_ms, ev.latency_ms.value_or(0)));
        ev.response_metadata = std::move(hi.metadata_json);
        ev.header_quota_recover_at_ms = hi.quota_recover_at_ms;
        ev.header_quota_used_percent = hi.quota_used_percent;
        if (!hi.quota_plan_type.empty())
            ev.header_quota_plan_type = std::move(hi.quota_plan_type);
        if (!hi.trace_id.empty())
            ev.header_trace_id = std::move(hi.trace_id);
    }
    ev.created_at_ms = now.unix_ms();

    bool recognised = ts.present() || has_tokens || ev.model != "-" || ev.endpoint != "-" ||
                      !ev.request_id.empty() || !ev.provider.empty() || !ev.source_hash.empty() ||
                      o[rk::failed] != nullptr;
    if (!recognised)
        return errc::no_usage_fields;
    if (auto why = refusal(ev, ts))
        return *why;
    set_event_hash(ev);
    return ev;
}

boost::system::result<event>
export_record(const json::object& raw, const indexed_object& o, const parse_options& opts)
{
    std::string_view hash = first_string(o, {rk::event_hash, rk::eventHash});
    if (hash.empty())
        return raw_record(raw, o, opts);
    utc_time now = opts.now.value_or(now_utc());
    event ev;
    ev.event_hash = cut(hash, 128);

    time_search ts;
    if (!ts.offer(o[rk::timestamp]) && !ts.offer_ms(find_any(o, {rk::timestamp_ms, rk::timestampMs})))
        search_record_timestamp(ts, o);
    set_timestamp(ev, ts.time_or_epoch()); // refused below if there is none

    fill_common(ev, o);
    fill_endpoint(ev, o);
    fill_models(ev, o, true);
    fill_tokens(ev, o);
    ev.failed = first_bool(o, {rk::failed}).value_or(false);
    ev.fail_status_code = first_int(o, {rk::fail_status_code, rk::failStatusCode});
    ev.fail_summary = redact_text(first_string(o, {rk::fail_summary, rk::failSummary}));
    ev.latency_ms = first_int(o, {rk::latency_ms, rk::latencyMs});
    ev.ttft_ms = first_int(o, {rk::ttft_ms, rk::ttftMs});

    std::string_view source = first_string(o, {rk::source});
    ev.source = mask_source(source);
    ev.source_hash = cut(first_string(o, {rk::source_hash, rk::sourceHash}), 128);
    if (ev.source_hash.empty() && !source.empty())
        ev.source_hash = sha256_hex(source);
    ev.api_key_hash = cut(first_string(o, {rk::api_key_hash, rk::apiKeyHash}), 128);
    if (ev.api_key_hash.empty())
        if (auto key = first_string(o, {rk::api_key, rk::apiKey}); !key.empty())
            ev.api_key_hash = sha256_hex(key);

    ev.service_tier = cut(first_string(o, {rk::service_tier, rk::serviceTier}));
    ev.request_service_tier = cut(first_string(o, {rk::request_service_tier, rk::requestServiceTier}));
    ev.response_service_tier = cut(first_string(o, {rk::response_service_tier, rk::responseServiceTier}));
    ev.cache_input_mode = cut(first_string(o, {rk::cache_input_mode, rk::cacheInputMode}));

    if (const auto* m = find_any(o, {rk::response_metadata, rk::responseMetadata}))
    {
        if (m->is_object())
            ev.response_metadata = go_marshal_sorted(*m);
        else if (const auto* s = m->if_string())
        {
            boost::system::error_code ec;
            json::value inner = json::parse(*s, ec);
            if (!ec && inner.is_object())
                ev.response_metadata = go_marshal_sorted(inner);
        }
        if (ev.response_metadata.size() > max_response_metadata_bytes || ev.response_metadata == "{}")
            ev.response_metadata.clear();
    }
    ev.created_at_ms = first_int(o, {rk::created_at_ms, rk::createdAtMs}).value_or(now.unix_ms());
    if (auto why = refusal(ev, ts))
        return *why;
    return ev;
}

} // namespace

boost::system::result<event> parse_raw_record(const json::object& o, const parse_options& opts)
{
    return raw_record(o, indexed_object(o), opts);
}

boost::system::result<event> parse_export_record(const json::object& o, const parse_options& opts)
{
    return export_record(o, indexed_object(o), opts);
}

boost::system::result<event> parse_record(const json::object& o, const parse_options& opts)
{
    indexed_object index(o);
    bool is_export = !first_string(index, {rk::event_hash, rk::eventHash}).empty();
    return is_export ? export_record(o, index, opts) : raw_record(o, index, opts);
}

boost::system::result<event> parse_record(const json::value& v, const parse_options& opts)
{
    return parse_value(v, opts, json::storage_ptr());
}

boost::system::result<event> parse_record(std::string_view payload, const parse_options& opts)
{
    unsigned char buf[dom_buffer_bytes];
    json::monotonic_resource mr(buf, sizeof buf);
    json::storage_ptr sp(&mr);
    boost::system::error_code ec;
    json::value v = json::parse(payload, ec, sp);
    if (ec)
        return ec;
    return parse_value(v, opts, sp);
}

namespace
{

boost::system::result<event>
parse_value(const json::value& v, const parse_options& opts, json::storage_ptr sp)
{
    if (const auto* o = v.if_object())
        return parse_record(*o, opts);
    const auto* s = v.if_string();
    if (s == nullptr)
        return errc::not_an_object;
    // The HTTP queue embeds non-object items as JSON strings: unwrap one level.
    boost::system::error_code ec;
    json::value inner = json::parse(*s, ec, std::move(sp));
    if (ec)
        return ec;
    if (const auto* o = inner.if_object())
        return parse_record(*o, opts);
    return inner.is_string() ? errc::nested_string : errc::not_an_object;
}

} // namespace

} // namespace cpamd::usage
