#include "cpa_checks.hpp"
#include "settings_io.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cpamd/api/admin_auth.hpp>
#include <cpamd/api/alerts_settings.hpp>
#include <cpamd/api/config_routes.hpp>
#include <cpamd/api/manager_state.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/security/mask.hpp>
#include <cpamd/store/settings.hpp>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
namespace asio = boost::asio;

// CPA's usage settings for the GET reply; a slow CPA must not hold the config page long.
constexpr auto cpa_usage_timeout = std::chrono::seconds(10);

asio::awaitable<http::response> handle_get(services* svc, http::exchange& ex)
{
    if (svc->state->connection_resolved())
        if (auto denied = svc->auth->check(ex))
            co_return std::move(*denied);

    auto rows = co_await detail::read_stored_rows(svc->db);
    auto resolved = resolve_manager_config(svc->cfg, rows.config, rows.setup, svc->state->box(), false);
    if (resolved.error)
        co_return http::error_reply(*resolved.error);
    const auto& cfg = resolved.ok->value;

    json::object o;
    o["config"] = public_config(cfg);
    o["source"] = resolved.ok->source;
    // Ours: the alerts configuration (docs/alerts.md), also at /usage-service/alerts; only once
    // the admin key guards this route.
    if (svc->state->connection_resolved())
        if (auto in_effect = co_await read_alerts(*svc); !in_effect.error)
            o["config"].as_object()["alerts"] = alerts::public_alerts(in_effect.config);
    // cpamd's own, read-only: process settings (environment or config.json, docs/configuration.md)
    // the panel shows beside the editable ones.
    o["processSettings"] = json::object{
        {"retentionDays", svc->cfg.retention_days},
        {"backupIntervalSeconds", svc->cfg.backup_interval_seconds},
        {"backupRetentionDays", svc->cfg.backup_retention_days}};
    if (cfg.connected())
    {
        // A named argument: g++ 12 destroys a braced temporary coroutine argument twice.
        detail::cpa_connection conn{cfg.cpa_base_url, cfg.management_key, cfg.collector.tls_skip_verify};
        auto read = co_await detail::fetch_cpa_config(conn, 502, cpa_usage_timeout);
        if (!read.error)
            if (auto u = detail::parse_cpa_usage(read.body))
                o["cpaUsage"] = json::object{
                    {"usageStatisticsEnabled", u->statistics_enabled},
                    {"redisUsageQueueRetentionSeconds", u->retention_seconds},
                    {"retentionSourceDefault", u->retention_default}};
    }
    co_return http::json_reply(200, o);
}

void save_config(
    store::connection& c,
    const std::string& config_row,
    const std::optional<std::string>& setup_row,
    std::int64_t now
)
{
    store::transaction tx(c);
    store::write_setting(c, manager_config_key, config_row, now);
    if (setup_row)
        store::write_setting(c, setup_key, *setup_row, now);
    tx.commit();
}

asio::awaitable<http::response> handle_put(services* svc, http::exchange& ex)
{
    // Upstream order: parse (400), then admin (401).
    boost::system::error_code ec;
    auto body = json::parse(ex.body(), ec);
    if (ec || !body.is_object())
        co_return http::error_reply(400, "request_failed", "invalid request body: expected a JSON object");
    if (auto denied = svc->auth->check(ex))
        co_return std::move(*denied);

    submitted_config sub;
    if (auto it = body.as_object().find("config"); it != body.as_object().end() && !it->value().is_null())
    {
        if (!it->value().is_object())
            co_return http::error_reply(400, "request_failed", "json: field config must be an object");
        if (auto e = parse_submitted_config(it->value().as_object(), sub))
            co_return http::error_reply(*e);
    }
    // Ours: `config.alerts` replaces the alerts configuration, checked before anything is saved.
    std::optional<alerts::alerts_config> next_alerts;
    if (auto* cfg = body.as_object().if_contains("config"); cfg && cfg->is_object())
        if (auto* a = cfg->as_object().if_contains("alerts"); a && !a->is_null())
        {
            auto alerts_now = co_await read_alerts(*svc);
            auto checked = check_alerts_submission(alerts_now, *a);
            if (checked.error)
                co_return http::error_reply(*checked.error);
            next_alerts = std::move(checked.ok);
        }

    auto rows = co_await detail::read_stored_rows(svc->db);
    const auto& box = svc->state->box();
    auto current = resolve_manager_config(svc->cfg, rows.config, rows.setup, box, true);
    if (current.error)
        co_return http::error_reply(*current.error);
    const resolved_config& cur = *current.ok;

    // Ours: the panel sends back the masked key it was shown; that means "keep the stored key".
    if (security::is_masked_form(cur.value.management_key, sub.management_key))
        sub.management_key.clear();
    manager_config next = merge_config(cur.value, sub);

    if (cur.source == "env" && connection_differs(cur.value, next))
        co_return http::error_reply(
            409, "connection_env_managed", "connection setup is managed by environment variables"
        );
    if (!next.cpa_base_url.empty() || !next.management_key.empty())
    {
        if (!next.connected())
            co_return http::error_reply(
                400, "cpa_connection_required", "cpaBaseUrl and managementKey are required"
            );
        detail::cpa_connection conn{next.cpa_base_url, next.management_key, next.collector.tls_skip_verify};
        auto read = co_await detail::fetch_cpa_config(conn, 500);
        if (read.error)
            co_return http::error_reply(*read.error);
        if (next.collector.enabled)
        {
            if (auto e = detail::check_retention(read.body, next.collector.poll_interval_ms))
                co_return http::error_reply(*e);
            if (auto e = co_await detail::enable_usage_statistics(conn))
                co_return http::error_reply(*e);
        }
    }
    else if (next.collector.enabled)
        co_return http::error_reply(
            400,
            "cpa_connection_required_for_monitoring",
            "cpaBaseUrl and managementKey are required when request monitoring is enabled"
        );

    const auto now = detail::now_ms();
    next.updated_at_ms = now;
    std::optional<std::string> setup_row;
    if (next.connected())
        setup_row = serialize_setup_row(next, box);
    // A named task, not a temporary in the co_await expression: g++ 12 destroys such temporaries
    // twice, which freed the captured rows while the writer still used them.
    store::event_writer::task save =
        [config_row = serialize_stored_config(next, box), setup_row, now](store::connection& c)
    { save_config(c, config_row, setup_row, now); };
    auto error = co_await svc->db.writer().async_run(std::move(save), boost::asio::use_awaitable);
    if (error)
    {
        log::error("config: saving the settings failed: {}", *error);
        co_return http::error_reply(500, "request_failed", "save config: " + *error);
    }
    svc->state->set_connection(
        next.connected() ? std::optional<cpa_connection>(cpa_connection{
                               next.cpa_base_url, next.management_key, next.collector.tls_skip_verify})
                         : std::nullopt
    );
    log::info(
        "config saved: CPA {}, request monitoring {}; collector restart requested",
        next.connected() ? next.cpa_base_url : std::string("not connected"),
        next.collector.enabled ? "on" : "off"
    );
    if (svc->restart_collector)
        svc->restart_collector();
    if (next_alerts)
        if (auto e = co_await save_alerts(*svc, *next_alerts))
            co_return http::error_reply(*e);
    json::object o;
    o["config"] = public_config(next);
    o["source"] = "db";
    if (auto in_effect = co_await read_alerts(*svc); !in_effect.error)
        o["config"].as_object()["alerts"] = alerts::public_alerts(in_effect.config);
    co_return http::json_reply(200, o);
}

} // namespace

void add_config_routes(http::router& r, services& svc)
{
    services* s = &svc;
    // Both check access themselves: GET is open until a key is resolved, PUT parses first.
    r.add(
        {http::bhttp::verb::get},
        "/usage-service/config",
        [s](http::exchange& ex) { return handle_get(s, ex); },
        {.name = "config-get"}
    );
    r.add(
        {http::bhttp::verb::put},
        "/usage-service/config",
        [s](http::exchange& ex) { return handle_put(s, ex); },
        {.body_limit = 256 * 1024, .name = "config-put"}
    );
}

} // namespace cpamd::api
