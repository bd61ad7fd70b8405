#include <algorithm>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cpamd/alerts/engine.hpp>
#include <cpamd/alerts/history.hpp>
#include <cpamd/api/alert_routes.hpp>
#include <cpamd/api/alerts_settings.hpp>
#include <cpamd/http/reply.hpp>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
namespace asio = boost::asio;

constexpr std::int64_t history_limit_default = 50;
constexpr std::int64_t history_limit_max = 500;

json::object alerts_answer(services* svc, const current_alerts& current)
{
    json::object o;
    o["alerts"] = alerts::public_alerts(current.config);
    o["source"] = current.source;
    json::array active;
    json::array sinks;
    if (svc->alerts)
    {
        for (const auto& a : svc->alerts->active())
            active.push_back(json::object{
                {"rule", a.rule},
                {"kind", a.kind},
                {"subject", a.subject},
                {"level", a.level},
                {"since", a.since_ms},
                {"value", a.value},
                {"threshold", a.threshold},
                {"message", a.message}});
        const auto counters = svc->alerts->counters();
        for (const auto& s : current.config.sinks)
        {
            auto it = counters.sinks.find(s.id);
            const alerts::sink_counters c = it == counters.sinks.end() ? alerts::sink_counters{} : it->second;
            sinks.push_back(json::object{
                {"sink", s.id},
                {"delivered", c.delivered},
                {"failed", c.failed},
                {"lastError", c.last_error},
                {"lastAt", c.last_at_ms ? json::value(c.last_at_ms) : json::value(nullptr)}});
        }
    }
    o["active"] = std::move(active);
    o["sinkStats"] = std::move(sinks);
    return o;
}

std::optional<json::value> json_body(const http::exchange& ex)
{
    boost::system::error_code ec;
    auto v = json::parse(ex.body(), ec);
    if (ec)
        return std::nullopt;
    return v;
}

asio::awaitable<http::response> handle_get(services* svc, http::exchange&)
{
    auto current = co_await read_alerts(*svc);
    if (current.error)
        co_return http::error_reply(*current.error);
    co_return http::json_reply(200, alerts_answer(svc, current));
}

asio::awaitable<http::response> handle_put(services* svc, http::exchange& ex)
{
    auto body = json_body(ex);
    if (!body || !body->is_object())
        co_return http::error_reply(400, "request_failed", "invalid request body: expected a JSON object");
    auto current = co_await read_alerts(*svc);
    auto next = check_alerts_submission(current, *body);
    if (next.error)
        co_return http::error_reply(*next.error);
    if (auto e = co_await save_alerts(*svc, *next.ok))
        co_return http::error_reply(*e);
    current.config = std::move(*next.ok);
    current.source = "db";
    current.error.reset();
    co_return http::json_reply(200, alerts_answer(svc, current));
}

asio::awaitable<http::response> handle_history(services* svc, http::exchange& ex)
{
    auto number = [&](std::string_view name) -> std::optional<std::int64_t>
    {
        auto v = ex.query_value(name);
        if (!v)
            return std::nullopt;
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc() || p != v->data() + v->size() || n < 1)
            return -1;
        return n;
    };
    auto limit = number("limit").value_or(history_limit_default);
    auto before = number("before");
    if (limit < 1 || limit > history_limit_max || (before && *before < 1))
        co_return http::error_reply(
            400,
            "invalid_query",
            fmt::format("limit must be 1-{} and before a positive id", history_limit_max)
        );
    auto page = co_await svc->db.readers().run([limit, before](store::connection& c)
                                               { return alerts::read_history(c, limit, before); });
    json::object o;
    o["items"] = std::move(page.items);
    o["nextBefore"] = page.next_before ? json::value(*page.next_before) : json::value(nullptr);
    co_return http::json_reply(200, o);
}

asio::awaitable<http::response> handle_test(services* svc, http::exchange& ex)
{
    std::string sink;
    if (!ex.body().empty())
    {
        auto body = json_body(ex);
        if (!body || !body->is_object())
            co_return http::error_reply(
                400, "request_failed", "invalid request body: expected a JSON object"
            );
        if (auto* v = body->as_object().if_contains("sink"); v && !v->is_null())
        {
            if (!v->is_string())
                co_return http::error_reply(400, "request_failed", "json: field sink must be a string");
            sink = std::string(v->as_string());
        }
    }
    auto current = co_await read_alerts(*svc);
    if (current.error)
        co_return http::error_reply(*current.error);
    if (!sink.empty() && !current.config.find_sink(sink))
        co_return http::error_reply(404, "sink_not_found", "no sink with id " + sink);
    if (sink.empty() && std::none_of(
                            current.config.sinks.begin(),
                            current.config.sinks.end(),
                            [](const alerts::sink& s) { return s.enabled; }
                        ))
        co_return http::error_reply(409, "no_sinks", "no enabled sink to send a test notice to");
    if (!svc->alerts)
        co_return http::error_reply(503, "alerts_unavailable", "the alerts engine is not running");
    auto results = co_await svc->alerts->send_test(sink);
    json::array out;
    for (const auto& r : results)
        out.push_back(json::object{
            {"sink", r.sink}, {"ok", r.ok}, {"attempts", r.attempts}, {"error", r.error}});
    co_return http::json_reply(200, json::object{{"results", std::move(out)}});
}

} // namespace

void add_alert_routes(http::router& r, services& svc)
{
    services* s = &svc;
    const std::string base = "/usage-service/alerts";
    r.add(
        {http::bhttp::verb::get},
        base,
        [s](http::exchange& ex) { return handle_get(s, ex); },
        {.auth = http::auth_level::admin, .name = "alerts-get"}
    );
    r.add(
        {http::bhttp::verb::put},
        base,
        [s](http::exchange& ex) { return handle_put(s, ex); },
        {.body_limit = 256 * 1024, .auth = http::auth_level::admin, .name = "alerts-put"}
    );
    r.add(
        {http::bhttp::verb::get},
        base + "/history",
        [s](http::exchange& ex) { return handle_history(s, ex); },
        {.auth = http::auth_level::admin, .name = "alerts-history"}
    );
    r.add(
        {http::bhttp::verb::post},
        base + "/test",
        [s](http::exchange& ex) { return handle_test(s, ex); },
        {.body_limit = 4096, .auth = http::auth_level::admin, .name = "alerts-test"}
    );
}

} // namespace cpamd::api
