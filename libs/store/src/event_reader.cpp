#include <cpamd/core/floor_div.hpp>
#include <cpamd/store/batch_writer.hpp>
#include <cpamd/store/event_reader.hpp>
#include <cpamd/usage/event_hash.hpp>
#include <cpamd/usage/timestamp.hpp>
#include <fmt/format.h>
#include <limits>

namespace cpamd::store
{
namespace
{

constexpr std::int64_t ns_per_ms = 1000000;
constexpr std::int64_t ns_per_s = 1000000000;
constexpr std::int64_t max_i64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t min_i64 = std::numeric_limits<std::int64_t>::min();

// Milliseconds to nanoseconds, saturating instead of overflowing (a huge `to` means "no bound").
std::int64_t ms_to_ns(std::int64_t ms)
{
    if (ms > max_i64 / ns_per_ms)
        return max_i64;
    if (ms < min_i64 / ns_per_ms)
        return min_i64;
    return ms * ns_per_ms;
}

// Column positions of select_sql().
enum col : int
{
    c_id,
    c_ts_ns,
    c_hash,
    c_request_id,
    c_provider,
    c_executor,
    c_model,
    c_requested_model,
    c_resolved_model,
    c_endpoint,
    c_method,
    c_path,
    c_reasoning_effort,
    c_service_tier,
    c_request_service_tier,
    c_response_service_tier,
    c_cache_input_mode,
    c_client_ip,
    c_x_forwarded_for,
    c_user_agent,
    c_auth_type,
    c_auth_index,
    c_source,
    c_source_hash,
    c_api_key,
    c_account_snapshot,
    c_auth_label_snapshot,
    c_auth_file_snapshot,
    c_auth_provider_snapshot,
    c_auth_project_id_snapshot,
    c_auth_snapshot_at_ms,
    c_tokens,              // 8 token columns
    c_cost = c_tokens + 8, // 5 cost columns
    c_semantics = c_cost + 5,
    c_latency_ms,
    c_ttft_ms,
    c_failed,
    c_fail_status_code,
    c_fail_summary,
    c_response_metadata,
    c_header_quota_recover_at_ms,
    c_header_quota_used_percent,
    c_header_quota_plan_type,
    c_header_error_kind,
    c_header_error_code,
    c_header_trace_id,
    c_created_offset_ms,
    c_response_model,
    c_stream,
};

std::optional<double> opt_real(const statement& s, int c)
{
    return s.is_null(c) ? std::nullopt : std::optional<double>(s.real(c));
}

} // namespace

std::int64_t range_low_ns(const time_range& r)
{
    return r.from_ms ? ms_to_ns(*r.from_ms) : min_i64;
}

std::int64_t range_high_ns(const time_range& r)
{
    return r.to_ms ? ms_to_ns(*r.to_ms) : max_i64;
}

const std::string& event_decoder::select_sql()
{
    static const std::string sql = R"sql(SELECT id, ts_ns, hash, request_id, provider, executor, model,
    requested_model, resolved_model, endpoint, method, path, reasoning_effort, service_tier,
    request_service_tier, response_service_tier, cache_input_mode, client_ip, x_forwarded_for, user_agent,
    auth_type, auth_index, source, source_hash, api_key, account_snapshot, auth_label_snapshot,
    auth_file_snapshot, auth_provider_snapshot, auth_project_id_snapshot, auth_snapshot_at_ms,
    input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
    cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output,
    cost_reasoning, semantics, latency_ms, ttft_ms, failed, fail_status_code, fail_summary, response_metadata,
    header_quota_recover_at_ms, header_quota_used_percent, header_quota_plan_type, header_error_kind,
    header_error_code, header_trace_id, created_offset_ms, response_model, stream FROM events)sql";
    return sql;
}

void event_decoder::decode(const statement& s, stored_event& out)
{
    out.id = s.int64(c_id);
    auto& ev = out.ev;
    auto dim = [&](int c) -> const std::string& { return dims_.value(s.int64(c)); };
    std::int64_t ts_ns = s.int64(c_ts_ns);
    usage::utc_time t{
        floor_div(ts_ns, ns_per_s), static_cast<std::int32_t>(ts_ns - floor_div(ts_ns, ns_per_s) * ns_per_s)};
    ev.timestamp = usage::format_rfc3339nano(t);
    ev.timestamp_ms = floor_div(ts_ns, ns_per_ms);
    if (sqlite3_column_type(s.handle(), c_request_id) == SQLITE_INTEGER)
        ev.request_id = fmt::format("{:08x}", s.int64(c_request_id));
    else
        ev.request_id = s.text(c_request_id);
    ev.provider = dim(c_provider);
    ev.executor_type = dim(c_executor);
    ev.model = dim(c_model);
    ev.requested_model = dim(c_requested_model);
    ev.resolved_model = dim(c_resolved_model);
    ev.response_model = dim(c_response_model);
    ev.stream = s.is_null(c_stream) ? std::nullopt : std::optional<bool>(s.int64(c_stream) != 0);
    ev.endpoint = dim(c_endpoint);
    ev.method = dim(c_method);
    ev.path = dim(c_path);
    ev.reasoning_effort = dim(c_reasoning_effort);
    ev.service_tier = dim(c_service_tier);
    ev.request_service_tier = dim(c_request_service_tier);
    ev.response_service_tier = dim(c_response_service_tier);
    ev.cache_input_mode = dim(c_cache_input_mode);
    ev.client_ip = dim(c_client_ip);
    ev.x_forwarded_for = dim(c_x_forwarded_for);
    ev.user_agent = dim(c_user_agent);
    ev.auth_type = dim(c_auth_type);
    ev.auth_index = dim(c_auth_index);
    ev.source = dim(c_source);
    ev.source_hash = dim(c_source_hash);
    ev.api_key_hash = dim(c_api_key);
    ev.account_snapshot = dim(c_account_snapshot);
    ev.auth_label_snapshot = dim(c_auth_label_snapshot);
    ev.auth_file_snapshot = dim(c_auth_file_snapshot);
    ev.auth_provider_snapshot = dim(c_auth_provider_snapshot);
    ev.auth_project_id_snapshot = dim(c_auth_project_id_snapshot);
    ev.auth_snapshot_at_ms = s.opt_int64(c_auth_snapshot_at_ms);
    auto& k = ev.tokens;
    k.input = s.int64(c_tokens + 0);
    k.output = s.int64(c_tokens + 1);
    k.reasoning = s.int64(c_tokens + 2);
    k.cached = s.int64(c_tokens + 3);
    k.cache = s.int64(c_tokens + 4);
    k.cache_read = s.int64(c_tokens + 5);
    k.cache_creation = s.int64(c_tokens + 6);
    k.total = s.int64(c_tokens + 7);
    auto& c = ev.cost;
    c.input_uncached = s.int64(c_cost + 0);
    c.cache_read = s.int64(c_cost + 1);
    c.cache_write = s.int64(c_cost + 2);
    c.output = s.int64(c_cost + 3);
    c.reasoning = s.int64(c_cost + 4);
    ev.semantics = static_cast<usage::token_semantics>(s.int64(c_semantics));
    ev.latency_ms = s.opt_int64(c_latency_ms);
    ev.ttft_ms = s.opt_int64(c_ttft_ms);
    ev.failed = s.int64(c_failed) != 0;
    ev.fail_status_code = s.opt_int64(c_fail_status_code);
    ev.fail_summary = s.text(c_fail_summary);
    ev.response_metadata = s.text(c_response_metadata);
    ev.header_quota_recover_at_ms = s.opt_int64(c_header_quota_recover_at_ms);
    ev.header_quota_used_percent = opt_real(s, c_header_quota_used_percent);
    ev.header_quota_plan_type = dim(c_header_quota_plan_type);
    ev.header_error_kind = dim(c_header_error_kind);
    ev.header_error_code = dim(c_header_error_code);
    ev.header_trace_id = s.text(c_header_trace_id);
    ev.created_at_ms = ev.timestamp_ms + s.int64(c_created_offset_ms);
    // Stored only when it is not the hash of the row itself (see migrations.cpp).
    ev.event_hash = s.is_null(c_hash) ? usage::event_hash(ev) : blob_to_hash(s.blob(c_hash));
}

event_cursor::event_cursor(connection& db, event_order order, std::int64_t limit, time_range range)
    : decoder_(db)
{
    std::int64_t low = range_low_ns(range), high = range_high_ns(range);
    const std::string& base = event_decoder::select_sql();
    if (order == event_order::newest_first)
    {
        stmt_ = db.prepare(base + " WHERE ts_ns >= ?1 AND ts_ns < ?2 ORDER BY ts_ns DESC, id DESC LIMIT ?3");
        stmt_.bind(1, low).bind(2, high).bind(3, limit > 0 ? limit : std::int64_t{-1});
        return;
    }
    // Oldest first: the window's oldest row is the limit-th newest; start there and walk up.
    std::int64_t bound_ts = low, bound_id = min_i64;
    if (limit > 0)
    {
        auto b = db.prepare(
            "SELECT ts_ns, id FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2 ORDER BY ts_ns DESC, id DESC "
            "LIMIT 1 OFFSET ?3"
        );
        b.bind(1, low).bind(2, high).bind(3, limit - 1);
        if (b.step())
        {
            bound_ts = b.int64(0);
            bound_id = b.int64(1);
        }
    }
    stmt_ = db.prepare(
        base + " WHERE ts_ns >= ?1 AND ts_ns < ?2 AND (ts_ns > ?1 OR id >= ?3) ORDER BY ts_ns ASC, id ASC"
    );
    stmt_.bind(1, bound_ts).bind(2, high).bind(3, bound_id);
}

bool event_cursor::next(stored_event& out)
{
    if (empty_ || !stmt_.step())
    {
        empty_ = true;
        return false;
    }
    decoder_.decode(stmt_, out);
    return true;
}

event_lookup::event_lookup(connection& db)
    : decoder_(db), stmt_(db.prepare(event_decoder::select_sql() + " WHERE id = ?1"))
{
}

bool event_lookup::read(std::int64_t id, stored_event& out)
{
    stmt_.bind(1, id);
    bool found = stmt_.step();
    if (found)
        decoder_.decode(stmt_, out);
    stmt_.reset();
    return found;
}

} // namespace cpamd::store
