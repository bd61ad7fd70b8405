// The Accounts page's monitoring routes (analytics-api §3; docs/analytics.md, "Accounts"):
//   POST /v0/management/monitoring/account-history
//   POST /v0/management/monitoring/account-window-usage
//   GET  /v0/management/monitoring/header-snapshots?days=30&limit=1000

#include "json_fields.hpp"
#include "monitoring_json.hpp"
#include "settings_io.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cpamd/analytics/account_usage.hpp>
#include <cpamd/api/monitoring_route.hpp>
#include <cpamd/http/reply.hpp>
#include <set>
#include <variant>

namespace cpamd::api
{
namespace
{

namespace asio = boost::asio;
namespace an = analytics;
namespace json = boost::json;
using detail::bad_field;
using detail::fields;

constexpr std::uint64_t body_limit = 1 << 20;
constexpr std::size_t max_history_targets = 200;
constexpr std::size_t max_windows = 400;
constexpr std::size_t max_text = 1024;
constexpr std::int64_t max_instant_ms = 9'000'000'000'000;

an::account_target read_target(const fields& f)
{
    an::account_target t;
    auto opt = [&](std::string_view key) -> std::optional<std::string>
    {
        if (!f.get(key))
            return std::nullopt;
        return f.text(key, max_text);
    };
    t.account_key = opt("account_key");
    t.account_snapshot = opt("account_snapshot");
    t.auth_file_snapshot = opt("auth_file_snapshot");
    t.auth_provider_snapshot = opt("auth_provider_snapshot");
    t.auth_index = opt("auth_index");
    t.source = opt("source");
    if (t.empty())
        f.fail(
            "account_key",
            "or another identity field (account_snapshot, auth_file_snapshot, auth_index, source) is required"
        );
    return t;
}

// The array `key` of objects, 1..max_items of them, each read by `read`.
template <class F>
void each_object(const fields& top, std::string_view key, std::size_t max_items, F read)
{
    const auto* v = top.get(key);
    if (!v || !v->is_array() || v->get_array().empty())
        top.fail(key, "must be a non-empty array of objects");
    const auto& items = v->get_array();
    if (items.size() > max_items)
        top.fail(key, fmt::format("must have at most {} items", max_items));
    for (std::size_t i = 0; i < items.size(); ++i)
    {
        const auto path = fmt::format("{}[{}]", key, i);
        if (!items[i].is_object())
            throw bad_field{std::string(key), path + " must be an object"};
        read(fields(items[i].get_object(), path));
    }
}

std::string required_text(const fields& f, std::string_view key)
{
    auto s = f.text(key, max_text);
    if (s.empty())
        f.fail(key, "is required");
    return s;
}

std::vector<std::pair<std::string, an::account_target>> read_history_body(const json::object& body)
{
    const fields top(body, "");
    top.only({"accounts", "catch_up"});
    top.boolean("catch_up", false); // accepted: every answer is read whole in one snapshot
    std::vector<std::pair<std::string, an::account_target>> out;
    std::set<std::string> keys;
    each_object(
        top,
        "accounts",
        max_history_targets,
        [&](const fields& f)
        {
            std::initializer_list<std::string_view> known = {
                "row_key",
                "account_key",
                "account_snapshot",
                "auth_file_snapshot",
                "auth_provider_snapshot",
                "auth_index",
                "source"};
            f.only(known);
            auto key = required_text(f, "row_key");
            if (!keys.insert(key).second)
                f.fail("row_key", "must be unique");
            out.emplace_back(std::move(key), read_target(f));
        }
    );
    return out;
}

std::vector<an::usage_window> read_window_body(const json::object& body)
{
    const fields top(body, "");
    std::vector<an::usage_window> out;
    each_object(
        top,
        "windows",
        max_windows,
        [&](const fields& f)
        {
            an::usage_window w;
            w.row_key = required_text(f, "row_key");
            w.request_key = f.text("request_key", max_text);
            w.window_key = f.text("window_key", max_text);
            w.provider_window_id = f.text("provider_window_id", max_text);
            w.period = f.text("period", max_text);
            auto from = f.integer("from_ms", 0, max_instant_ms);
            auto to = f.integer("to_ms", 0, max_instant_ms);
            if (!from)
                f.fail("from_ms", "is required");
            if (!to)
                f.fail("to_ms", "is required");
            if (*from >= *to)
                f.fail("to_ms", "must be greater than from_ms");
            w.from_ms = *from, w.to_ms = *to;
            if (auto scope = f.object("model_scope"))
                w.scope = an::model_scope{
                    scope->text("kind", max_text),
                    scope->text("key", max_text),
                    scope->strings("models", 500),
                    scope->boolean("complete", false)};
            w.target = read_target(f);
            out.push_back(std::move(w));
        }
    );
    return out;
}

// Parses a JSON object body with `read`, or the 400 naming the field.
template <class F>
std::variant<std::invoke_result_t<F, const json::object&>, http::response>
parse_body(std::string_view text, F read)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        return http::error_reply(400, "invalid_json", "request body must be a JSON object");
    try
    {
        return read(v.get_object());
    }
    catch (const bad_field& e)
    {
        return http::error_reply(400, "invalid_" + e.path, e.message);
    }
}

json::object history_json(const an::account_history& h, std::int64_t generated_at_ms)
{
    json::array items;
    for (const auto& it : h.items)
    {
        json::object o{{"row_key", it.row_key}};
        detail::put_totals(o, it.totals);
        o["requests"] = it.totals.calls;
        o["first_seen_ms"] = it.first_seen_ms;
        o["latest_request"] =
            it.latest_request ? json::value(detail::event_item_json(*it.latest_request)) : nullptr;
        json::array recent;
        for (const auto& e : it.recent_requests)
            recent.push_back(detail::event_item_json(e));
        o["recent_requests"] = std::move(recent);
        o["sync_status"] = it.sync_status;
        items.push_back(std::move(o));
    }
    return json::object{
        {"generated_at_ms", generated_at_ms},
        {"checkpoint",
         json::object{
             {"last_event_id", h.checkpoint.last_event_id},
             {"latest_id", h.checkpoint.latest_id},
             {"pending", h.checkpoint.pending},
             {"processed", h.checkpoint.processed}}},
        {"items", std::move(items)}};
}

json::object windows_json(const std::vector<an::window_usage_item>& rows, std::int64_t generated_at_ms)
{
    json::array items;
    for (const auto& w : rows)
    {
        json::object o{
            {"row_key", w.row_key},
            {"request_key", w.request_key},
            {"window_key", w.window_key},
            {"provider_window_id", w.provider_window_id},
            {"period", w.period},
            {"from_ms", w.from_ms},
            {"to_ms", w.to_ms}};
        detail::put_totals(o, w.totals);
        o["requests"] = w.totals.calls;
        o["sync_status"] = w.sync_status;
        o["scope_match_status"] = w.scope_match_status;
        o["unmatched_requests"] = w.unmatched_requests;
        items.push_back(std::move(o));
    }
    return json::object{{"generated_at_ms", generated_at_ms}, {"items", std::move(items)}};
}

json::object
snapshots_json(const std::vector<an::header_snapshot>& rows, std::int64_t days, std::int64_t limit)
{
    json::array items;
    for (const auto& h : rows)
    {
        json::object o{{"credential_id", h.credential_id}};
        detail::put_names(o, h.names);
        o["auth_project_id_snapshot"] = h.auth_project_id_snapshot;
        o["model"] = h.model;
        o["event_id"] = h.event_id;
        o["timestamp_ms"] = h.timestamp_ms;
        o["response_metadata"] = detail::metadata_json(h.response_metadata);
        o["header_quota_recover_at_ms"] =
            h.header_quota_recover_at_ms ? json::value(*h.header_quota_recover_at_ms) : nullptr;
        o["header_quota_used_percent"] =
            h.header_quota_used_percent ? json::value(*h.header_quota_used_percent) : nullptr;
        o["header_quota_plan_type"] = h.header_quota_plan_type;
        o["header_error_kind"] = h.header_error_kind;
        o["header_error_code"] = h.header_error_code;
        o["header_trace_id"] = h.header_trace_id;
        items.push_back(std::move(o));
    }
    return json::object{{"days", days}, {"limit", limit}, {"items", std::move(items)}};
}

asio::awaitable<http::response> handle_history(services* svc, http::exchange& ex)
{
    auto parsed = parse_body(ex.body(), read_history_body);
    if (auto* err = std::get_if<http::response>(&parsed))
        co_return std::move(*err);
    auto rows = std::get<0>(std::move(parsed));
    const auto now = detail::now_ms();
    auto body = co_await svc->db.readers().run(
        [&rows, now](store::connection& c)
        { return json::value(history_json(an::read_account_history(c, rows), now)); }
    );
    co_return http::json_reply(200, body);
}

asio::awaitable<http::response> handle_windows(services* svc, http::exchange& ex)
{
    auto parsed = parse_body(ex.body(), read_window_body);
    if (auto* err = std::get_if<http::response>(&parsed))
        co_return std::move(*err);
    auto windows = std::get<0>(std::move(parsed));
    const auto now = detail::now_ms();
    auto body = co_await svc->db.readers().run(
        [&windows, now](store::connection& c)
        { return json::value(windows_json(an::read_window_usage(c, windows), now)); }
    );
    co_return http::json_reply(200, body);
}

// days (default 30, 1..365) and limit (default 1000, 1..5000): out of range values are capped,
// as the upstream does; a value that is not an integer is 400.
std::variant<std::int64_t, http::response>
capped_param(http::exchange& ex, std::string_view name, std::int64_t fallback, std::int64_t cap)
{
    auto v = ex.query_value(name);
    if (!v || v->empty())
        return fallback;
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc{} || end != v->data() + v->size())
        return http::error_reply(
            400, "invalid_" + std::string(name), std::string(name) + " must be an integer"
        );
    return out <= 0 ? fallback : std::min(out, cap);
}

asio::awaitable<http::response> handle_snapshots(services* svc, http::exchange& ex)
{
    auto days = capped_param(ex, "days", 30, 365);
    if (auto* err = std::get_if<http::response>(&days))
        co_return std::move(*err);
    auto limit = capped_param(ex, "limit", 1000, 5000);
    if (auto* err = std::get_if<http::response>(&limit))
        co_return std::move(*err);
    const auto d = std::get<std::int64_t>(days), l = std::get<std::int64_t>(limit);
    const auto since = detail::now_ms() - d * 86'400'000;
    auto body = co_await svc->db.readers().run(
        [=](store::connection& c)
        {
            return json::value(
                snapshots_json(an::latest_header_snapshots(c, since, static_cast<std::size_t>(l)), d, l)
            );
        }
    );
    co_return http::json_reply(200, body);
}

} // namespace

void add_monitoring_account_routes(http::router& r, services& svc)
{
    services* s = &svc;
    const http::route_options post_options{.body_limit = body_limit, .auth = http::auth_level::admin};
    auto options = [&](const char* name)
    {
        auto o = post_options;
        o.name = name;
        return o;
    };
    r.add(
        {http::bhttp::verb::post},
        "/v0/management/monitoring/account-history",
        [s](http::exchange& ex) { return handle_history(s, ex); },
        options("monitoring-account-history")
    );
    r.add(
        {http::bhttp::verb::post},
        "/v0/management/monitoring/account-window-usage",
        [s](http::exchange& ex) { return handle_windows(s, ex); },
        options("monitoring-account-window-usage")
    );
    r.add(
        {http::bhttp::verb::get},
        "/v0/management/monitoring/header-snapshots",
        [s](http::exchange& ex) { return handle_snapshots(s, ex); },
        {.auth = http::auth_level::admin, .name = "monitoring-header-snapshots"}
    );
}

} // namespace cpamd::api
