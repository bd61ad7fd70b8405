#include "cpa_checks.hpp"
#include "settings_io.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cpamd/api/manager_state.hpp>
#include <cpamd/api/setup_routes.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/proxy/cpa_url.hpp>
#include <cpamd/security/text.hpp>
#include <cpamd/store/settings.hpp>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
namespace asio = boost::asio;

struct setup_request
{
    submitted_config fields; // the flat body mapped onto the config shape
    bool ensure_statistics = true;
    bool monitoring = true;
};

std::optional<api_error> get_flag(const json::object& o, std::string_view key, bool& out)
{
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null())
        return std::nullopt;
    if (!it->value().is_bool())
        return api_error{400, "request_failed", fmt::format("json: field {} must be a boolean", key)};
    out = it->value().as_bool();
    return std::nullopt;
}

std::optional<api_error> parse_setup_body(const std::string& body, setup_request& out)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return api_error{400, "request_failed", "invalid request body: expected a JSON object"};
    const auto& o = v.as_object();
    // The flat setup fields map one to one onto the §5.5 config shape, so one parser checks both.
    json::object conn, col;
    auto copy = [&](json::object& to, std::string_view from, std::string_view as)
    {
        if (auto it = o.find(from); it != o.end())
            to[as] = it->value();
    };
    copy(conn, "cpaBaseUrl", "cpaBaseUrl");
    copy(conn, "managementKey", "managementKey");
    if (auto it = o.find("cpaManagementKey");
        it != o.end() && it->value().is_string() && !it->value().as_string().empty())
        conn["managementKey"] = it->value();
    for (auto k :
         {"collectorMode", "queue", "popSide", "batchSize", "pollIntervalMs", "queryLimit", "tlsSkipVerify"})
        copy(col, k, k);
    json::object shaped{{"cpaConnection", std::move(conn)}, {"collector", std::move(col)}};
    if (auto e = parse_submitted_config(shaped, out.fields))
        return e;
    if (auto e = get_flag(o, "ensureUsageStatisticsEnabled", out.ensure_statistics))
        return e;
    return get_flag(o, "requestMonitoringEnabled", out.monitoring);
}

void save_setup(
    store::connection& c,
    const std::string& config_row,
    const std::string& setup_row,
    const std::string& state_row,
    std::int64_t now
)
{
    store::transaction tx(c);
    store::write_setting(c, setup_key, setup_row, now);
    store::write_setting(c, manager_config_key, config_row, now);
    store::write_setting(c, bootstrap_state_key, state_row, now);
    tx.commit();
}

asio::awaitable<http::response> handle_setup(services* svc, http::exchange& ex)
{
    setup_request req;
    if (auto e = parse_setup_body(ex.body(), req))
        co_return http::error_reply(*e);

    auto rows = co_await detail::read_stored_rows(svc->db);
    const auto& box = svc->state->box();
    auto current = resolve_manager_config(svc->cfg, rows.config, rows.setup, box, true);
    if (current.error)
        co_return http::error_reply(*current.error);
    const resolved_config& cur = *current.ok;

    const std::string url = proxy::normalize_base_url(req.fields.cpa_base_url);
    const std::string key(security::trim_space(req.fields.management_key));
    if (url.empty() || key.empty())
        co_return http::error_reply(
            400, "cpa_connection_required", "cpaBaseUrl and managementKey are required"
        );

    manager_config next = merge_config(cur.value, req.fields);
    next.collector.enabled = req.monitoring;

    if (svc->cfg.env_managed_connection())
    {
        if (url != cur.value.cpa_base_url || key != cur.value.management_key ||
            next.collector.queue != cur.value.collector.queue ||
            next.collector.pop_side != cur.value.collector.pop_side)
            co_return http::error_reply(
                409, "setup_env_managed", "setup is managed by environment variables"
            );
    }
    else if (cur.value.connected() && cur.value.cpa_base_url != url && cur.value.management_key != key)
        co_return http::error_reply(
            401, "invalid_existing_management_key", "invalid management key for existing setup"
        );

    detail::cpa_connection conn{url, key, next.collector.tls_skip_verify};
    auto read = co_await detail::fetch_cpa_config(conn, 502);
    if (read.error)
        co_return http::error_reply(*read.error);
    if (next.collector.enabled)
    {
        if (auto e = detail::check_retention(read.body, next.collector.poll_interval_ms))
            co_return http::error_reply(*e);
        if (req.ensure_statistics)
            if (auto e = co_await detail::enable_usage_statistics(conn))
                co_return http::error_reply(*e);
    }

    const auto now = detail::now_ms();
    next.updated_at_ms = now;
    bootstrap_state st = svc->state->bootstrap();
    st.status = "ready";
    st.admin_ready = true;
    st.project_initialized = true;
    st.data_key_ready = true;
    st.updated_at_ms = now;
    // Named, not a temporary in the co_await expression (g++ 12 destroys those twice).
    store::event_writer::task save = [config_row = serialize_stored_config(next, box),
                                      setup_row = serialize_setup_row(next, box),
                                      state_row = serialize_bootstrap_state(st),
                                      now](store::connection& c)
    { save_setup(c, config_row, setup_row, state_row, now); };
    auto error = co_await svc->db.writer().async_run(std::move(save), boost::asio::use_awaitable);
    if (error)
    {
        log::error("setup: saving the settings failed: {}", *error);
        co_return http::error_reply(500, "request_failed", "save setup: " + *error);
    }
    svc->state->set_bootstrap(st);
    svc->state->set_connection(conn);
    log::info(
        "setup saved: CPA at {}, request monitoring {}; collector restart requested",
        url,
        next.collector.enabled ? "on" : "off"
    );
    if (svc->restart_collector)
        svc->restart_collector();
    json::object o{{"ok", true}, {"upstream", url}};
    co_return http::json_reply(200, o);
}

} // namespace

void add_setup_routes(http::router& r, services& svc)
{
    services* s = &svc;
    r.add(
        {http::bhttp::verb::post},
        "/setup",
        [s](http::exchange& ex) { return handle_setup(s, ex); },
        {.body_limit = 64 * 1024, .auth = http::auth_level::admin, .name = "setup"}
    );
}

} // namespace cpamd::api
