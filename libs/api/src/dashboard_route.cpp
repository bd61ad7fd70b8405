#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <charconv>
#include <chrono>
#include <cpamd/analytics/dashboard_summary.hpp>
#include <cpamd/api/dashboard_route.hpp>
#include <cpamd/http/reply.hpp>
#include <variant>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
namespace asio = boost::asio;

constexpr std::int64_t max_window_ms = 7LL * 24 * 3600 * 1000;
constexpr std::int64_t max_rows = 100;

json::value nullable(const std::optional<double>& v)
{
    return v ? json::value(*v) : json::value(nullptr);
}

json::value nullable(const std::optional<std::int64_t>& v)
{
    return v ? json::value(*v) : json::value(nullptr);
}

// Go's omitempty for strings.
void put_nonempty(json::object& o, std::string_view key, const std::string& v)
{
    if (!v.empty())
        o[key] = v;
}

// How a credential is named on the upstream's channel, failure-source and failure rows: each name
// only when known.
void put_credential_names(
    json::object& o,
    const std::string& source,
    const std::string& account,
    const std::string& label,
    const std::string& provider
)
{
    put_nonempty(o, "source", source);
    put_nonempty(o, "account_snapshot", account);
    put_nonempty(o, "auth_label_snapshot", label);
    put_nonempty(o, "auth_provider_snapshot", provider);
}

json::array models_json(const std::vector<analytics::dashboard_model_row>& rows, bool with_share)
{
    json::array out;
    for (const auto& r : rows)
    {
        json::object o{
            {"model", r.model},
            {"calls", r.calls},
            {"tokens", r.tokens},
            {"cost", r.cost},
            {"success_rate", r.success_rate}};
        if (with_share)
            o["cost_share"] = r.cost_share;
        out.push_back(std::move(o));
    }
    return out;
}

json::object summary_json(const analytics::dashboard_summary& s, std::int64_t generated_at_ms)
{
    const auto& t = s.today;
    json::array timeline, hourly;
    int hour = 0;
    for (const auto& p : s.traffic_timeline)
    {
        timeline.push_back(json::object{
            {"bucket_ms", p.bucket_ms},
            {"calls", p.calls},
            {"tokens", p.tokens},
            {"success", p.success},
            {"failure", p.failure},
            {"calls_share", p.calls_share},
            {"tokens_share", p.tokens_share},
            {"failure_rate", p.failure_rate}});
        hourly.push_back(json::object{
            {"hour_index", hour++},
            {"bucket_ms", p.bucket_ms},
            {"calls", p.calls},
            {"tokens", p.tokens},
            {"intensity", std::max(p.calls_share, p.tokens_share)}});
    }
    json::array points;
    for (const auto& p : s.health.points)
        points.push_back(json::object{
            {"bucket_ms", p.bucket_ms},
            {"calls", p.calls},
            {"tokens", p.tokens},
            {"success", p.success},
            {"failure", p.failure},
            {"success_rate", p.success_rate},
            {"failure_rate", p.failure_rate},
            {"tone", p.tone},
            {"intensity", p.intensity},
            {"future", p.future}});
    json::array mix;
    for (const auto& m : s.token_mix)
        mix.push_back(json::object{{"key", m.key}, {"tokens", m.tokens}, {"share", m.share}});
    json::array channels;
    for (const auto& c : s.channel_health)
    {
        json::object o{{"auth_index", c.auth_index}};
        put_credential_names(
            o, c.source, c.account_snapshot, c.auth_label_snapshot, c.auth_provider_snapshot
        );
        o["calls"] = c.calls;
        o["failures"] = c.failures;
        o["failure_rate"] = c.failure_rate;
        o["success_rate"] = c.success_rate;
        o["tokens"] = c.tokens;
        o["cost"] = c.cost;
        o["average_latency_ms"] = nullable(c.average_latency_ms);
        o["tone"] = c.tone;
        channels.push_back(std::move(o));
    }
    json::array sources;
    for (const auto& f : s.failure_sources)
    {
        json::object o{{"source_hash", f.source_hash}, {"auth_index", f.auth_index}};
        put_credential_names(
            o, f.source, f.account_snapshot, f.auth_label_snapshot, f.auth_provider_snapshot
        );
        o["calls"] = f.calls;
        o["failures"] = f.failures;
        o["failure_rate"] = f.failure_rate;
        o["last_seen_ms"] = f.last_seen_ms;
        o["average_latency_ms"] = nullable(f.average_latency_ms);
        o["tone"] = f.tone;
        sources.push_back(std::move(o));
    }
    json::array failures;
    for (const auto& f : s.recent_failures)
    {
        json::object o{
            {"id", f.id},
            {"timestamp_ms", f.timestamp_ms},
            {"model", f.model},
            {"api_key_hash", f.api_key_hash},
            {"api_key_alias", f.api_key_alias}};
        o["source_hash"] = f.source_hash;
        o["auth_index"] = f.auth_index;
        put_credential_names(
            o, f.source, f.account_snapshot, f.auth_label_snapshot, f.auth_provider_snapshot
        );
        put_nonempty(o, "auth_project_id_snapshot", f.auth_project_id_snapshot);
        o["endpoint"] = f.endpoint;
        o["duration_ms"] = nullable(f.duration_ms);
        if (f.fail_status_code)
            o["fail_status_code"] = *f.fail_status_code;
        put_nonempty(o, "fail_summary", f.fail_summary);
        if (!f.response_metadata.empty())
        {
            boost::system::error_code ec;
            auto meta = json::parse(f.response_metadata, ec);
            if (!ec && meta.is_object())
                o["response_metadata"] = std::move(meta);
        }
        if (f.header_quota_recover_at_ms)
            o["header_quota_recover_at_ms"] = *f.header_quota_recover_at_ms;
        if (f.header_quota_used_percent)
            o["header_quota_used_percent"] = *f.header_quota_used_percent;
        put_nonempty(o, "header_quota_plan_type", f.header_quota_plan_type);
        put_nonempty(o, "header_error_kind", f.header_error_kind);
        put_nonempty(o, "header_error_code", f.header_error_code);
        put_nonempty(o, "header_trace_id", f.header_trace_id);
        failures.push_back(std::move(o));
    }
    return json::object{
        {"generated_at_ms", generated_at_ms},
        {"window",
         json::object{
             {"today_start_ms", s.today_start_ms},
             {"now_ms", s.now_ms},
             {"rolling_30m_start_ms", s.rolling_30m_start_ms}}},
        {"today",
         json::object{
             {"total_calls", t.total_calls},
             {"success_calls", t.success_calls},
             {"failure_calls", t.failure_calls},
             {"success_rate", t.success_rate},
             {"input_tokens", t.input_tokens},
             {"output_tokens", t.output_tokens},
             {"cached_tokens", t.cached_tokens},
             {"cache_read_tokens", t.cache_read_tokens},
             {"cache_creation_tokens", t.cache_creation_tokens},
             {"reasoning_tokens", t.reasoning_tokens},
             {"total_tokens", t.total_tokens},
             {"total_cost", t.total_cost},
             {"average_latency_ms", nullable(t.average_latency_ms)},
             {"zero_token_calls", t.zero_token_calls}}},
        {"rolling_30m",
         json::object{
             {"rpm", s.rolling_30m.rpm},
             {"tpm", s.rolling_30m.tpm},
             {"total_calls", s.rolling_30m.total_calls},
             {"total_tokens", s.rolling_30m.total_tokens}}},
        {"top_models_today", models_json(s.top_models_today, false)},
        {"model_cost_rank", models_json(s.model_cost_rank, true)},
        {"traffic_timeline", std::move(timeline)},
        {"hourly_activity", std::move(hourly)},
        {"today_request_health_timeline",
         json::object{
             {"from_ms", s.health.from_ms},
             {"to_ms", s.health.to_ms},
             {"bucket_ms", s.health.bucket_ms},
             {"success_calls", s.health.success_calls},
             {"failure_calls", s.health.failure_calls},
             {"total_calls", s.health.total_calls},
             {"success_rate", s.health.success_rate},
             {"points", std::move(points)}}},
        {"token_mix", std::move(mix)},
        {"channel_health", std::move(channels)},
        {"failure_sources", std::move(sources)},
        {"recent_failures", std::move(failures)}};
}

http::response bad_param(std::string_view name, std::string_view what)
{
    return http::error_reply(
        400, "invalid_" + std::string(name), std::string(name) + " " + std::string(what)
    );
}

// An optional integer query parameter: nullopt when absent or empty, an error reply when not an integer.
std::variant<std::optional<std::int64_t>, http::response> int_param(http::exchange& ex, std::string_view name)
{
    auto v = ex.query_value(name);
    if (!v || v->empty())
        return std::optional<std::int64_t>{};
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc{} || end != v->data() + v->size())
        return bad_param(name, "must be an integer");
    return std::optional<std::int64_t>{out};
}

// Query -> params (analytics-api §2), or the 400 naming the parameter.
std::variant<analytics::dashboard_params, http::response> parse_params(http::exchange& ex)
{
    analytics::dashboard_params p;
    std::optional<std::int64_t> values[4];
    const std::string_view names[4] = {"today_start_ms", "now_ms", "top_models", "recent_failures"};
    for (int i = 0; i < 4; ++i)
    {
        auto r = int_param(ex, names[i]);
        if (auto* err = std::get_if<http::response>(&r))
            return std::move(*err);
        values[i] = std::get<0>(r);
    }
    if (!values[0] || *values[0] <= 0)
        return bad_param("today_start_ms", "is required and must be > 0");
    p.today_start_ms = *values[0];
    const auto clock_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()
    )
                              .count();
    p.now_ms = values[1] && *values[1] > 0 ? *values[1] : clock_ms;
    if (p.now_ms < p.today_start_ms)
        return bad_param("now_ms", "must be greater than or equal to today_start_ms");
    if (p.now_ms - p.today_start_ms > max_window_ms)
        return bad_param("now_ms", "must be within 7 days of today_start_ms");
    // Instants the store can hold in nanoseconds (years up to 2262).
    if (p.now_ms > std::int64_t{9'000'000'000'000})
        return bad_param("now_ms", "is out of range");
    auto limit = [](std::optional<std::int64_t> v) -> int
    { return static_cast<int>(!v || *v <= 0 ? 5 : std::min(*v, max_rows)); };
    p.top_models = limit(values[2]);
    p.recent_failures = limit(values[3]);
    return p;
}

asio::awaitable<http::response> handle_get(services* svc, http::exchange& ex)
{
    auto parsed = parse_params(ex);
    if (auto* err = std::get_if<http::response>(&parsed))
        co_return std::move(*err);
    const auto p = std::get<analytics::dashboard_params>(parsed);
    const auto generated_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch()
    )
                                     .count();
    auto summary = co_await svc->db.readers().run([p](store::connection& c)
                                                  { return analytics::summarize_dashboard(c, p); });
    co_return http::json_reply(200, summary_json(summary, generated_at_ms));
}

} // namespace

void add_dashboard_route(http::router& r, services& svc)
{
    services* s = &svc;
    r.add(
        {http::bhttp::verb::get},
        "/v0/management/dashboard/summary",
        [s](http::exchange& ex) { return handle_get(s, ex); },
        {.auth = http::auth_level::admin, .name = "dashboard-summary"}
    );
}

} // namespace cpamd::api
