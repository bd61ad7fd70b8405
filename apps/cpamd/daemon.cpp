#include "daemon.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cpamd/alerts/engine.hpp>
#include <cpamd/api/admin_auth.hpp>
#include <cpamd/api/alert_routes.hpp>
#include <cpamd/api/alerts_settings.hpp>
#include <cpamd/api/api_key_alias_routes.hpp>
#include <cpamd/api/bootstrap.hpp>
#include <cpamd/api/config_routes.hpp>
#include <cpamd/api/dashboard_route.hpp>
#include <cpamd/api/manager_config.hpp>
#include <cpamd/api/manager_state.hpp>
#include <cpamd/api/metrics_route.hpp>
#include <cpamd/api/model_price_routes.hpp>
#include <cpamd/api/model_price_sync_route.hpp>
#include <cpamd/api/model_price_usage_route.hpp>
#include <cpamd/api/monitoring_route.hpp>
#include <cpamd/api/panel_routes.hpp>
#include <cpamd/api/policy_routes.hpp>
#include <cpamd/api/price_catalog_seed.hpp>
#include <cpamd/api/proxy_routes.hpp>
#include <cpamd/api/services.hpp>
#include <cpamd/api/setup_routes.hpp>
#include <cpamd/api/status_route.hpp>
#include <cpamd/api/system_routes.hpp>
#include <cpamd/api/usage_routes.hpp>
#include <cpamd/collector/service.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/core/version.hpp>
#include <cpamd/http/server.hpp>
#include <cpamd/ops/backup_schedule.hpp>
#include <cpamd/ops/sd_notify.hpp>
#include <cpamd/ops/watchdog.hpp>
#include <cpamd/store/maintenance.hpp>
#include <cpamd/store/settings.hpp>
#include <cpamd/store/store.hpp>
#include <csignal>
#include <filesystem>
#include <thread>
#include <vector>

namespace cpamd::app
{
namespace
{

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto shutdown_grace = 10s;

std::int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

http::server_options server_options_from(const config& cfg)
{
    http::server_options o;
    o.listen = cfg.listen;
    o.max_connections = cfg.max_connections;
    o.max_connections_per_address = cfg.max_connections_per_address;
    o.idle_timeout = std::chrono::seconds(cfg.idle_timeout_seconds);
    o.cors_origins = cfg.cors_origins;
    return o;
}

// The collector's settings from the resolved setup (env pair > stored connection), read fresh at
// every (re)start; nullopt when there is no connection or collection is disabled.
asio::awaitable<std::optional<collector::run_settings>> resolve_collector(api::services* svc)
{
    auto rows = co_await svc->db.readers().run(
        [](store::connection& c) {
            return std::pair{
                store::read_setting(c, api::manager_config_key), store::read_setting(c, api::setup_key)};
        }
    );
    auto r = api::resolve_manager_config(svc->cfg, rows.first, rows.second, svc->state->box(), false);
    if (r.error)
    {
        log::error("collector: cannot resolve the CPA connection: {}", r.error->message);
        co_return std::nullopt;
    }
    const auto& v = r.ok->value;
    if (!v.connected() || !v.collector.enabled)
        co_return std::nullopt;
    collector::run_settings s;
    s.base_url = v.cpa_base_url;
    s.management_key = v.management_key;
    const auto& m = v.collector.mode;
    s.mode = m == "http"        ? collector_mode::http
             : m == "resp"      ? collector_mode::resp
             : m == "subscribe" ? collector_mode::subscribe
                                : collector_mode::automatic;
    s.queue = v.collector.queue;
    s.pop_left = v.collector.pop_side == "left";
    s.batch_size = v.collector.batch_size;
    s.poll_interval_ms = v.collector.poll_interval_ms;
    s.tls_skip_verify = v.collector.tls_skip_verify;
    co_return s;
}

// Waits for in-flight requests to finish, at most the grace period, then stops the loop.
// A second signal stops at once. The collector stops first and its spool is stored.
asio::awaitable<void> drain_then_stop(
    http::server& srv, asio::io_context& ioc, asio::signal_set& signals, collector::collector_service* coll
)
{
    srv.begin_shutdown();
    signals.async_wait(
        [&ioc](const boost::system::error_code& ec, int)
        {
            if (!ec)
            {
                log::warn("second signal: stopping now");
                ioc.stop();
            }
        }
    );
    co_await coll->stop();
    auto deadline = std::chrono::steady_clock::now() + shutdown_grace;
    asio::steady_timer t(ioc);
    while (srv.active_connections() > 0 && std::chrono::steady_clock::now() < deadline)
    {
        t.expires_after(20ms);
        co_await t.async_wait(asio::use_awaitable);
    }
    if (srv.active_connections() > 0)
        log::warn(
            "{} connection(s) still open after {}s; closing them",
            srv.active_connections(),
            shutdown_grace.count()
        );
    ioc.stop();
}

// The alerts engine with the configuration in effect (docs/alerts.md). One that cannot be read
// (a data key that no longer opens its secrets) leaves alerts off until a new one is saved.
asio::awaitable<void> start_alerts(api::services& svc)
{
    auto current = co_await api::read_alerts(svc);
    if (current.error)
    {
        log::error("alerts: {}; alerts are off until they are saved again", current.error->message);
        current.config = {};
        current.config.enabled = false;
    }
    svc.alerts->start(std::move(current.config));
}

// Scheduled backups (BACKUP_INTERVAL) into <data dir>/backups; null when they are off.
std::unique_ptr<ops::backup_scheduler> start_scheduled_backups(const config& cfg, asio::io_context& ioc)
{
    if (cfg.backup_interval_seconds == 0)
        return nullptr;
    ops::backup_schedule_options o;
    o.database = cfg.db_path;
    o.dir = cfg.data_dir / "backups";
    o.interval = std::chrono::seconds(cfg.backup_interval_seconds);
    o.retention_days = cfg.backup_retention_days;
    auto s = std::make_unique<ops::backup_scheduler>(std::move(o));
    asio::co_spawn(ioc, s->run(), asio::detached);
    return s;
}

} // namespace

int run_daemon(const config& cfg)
{
    std::error_code ec;
    std::filesystem::create_directories(cfg.data_dir, ec);
    if (ec)
    {
        log::error("cannot create data directory {}: {}", cfg.data_dir.string(), ec.message());
        return 1;
    }
    std::filesystem::permissions(cfg.data_dir, std::filesystem::perms::owner_all, ec);

    unsigned threads = cfg.threads ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());

    // Before the store, so destroyed after it: the store's reader threads may still be counting
    // into it when the loop stops.
    const auto usage_counters =
        cfg.metrics_usage_top_n > 0 ? std::make_shared<analytics::usage_counters>() : nullptr;
    std::shared_ptr<alerts::engine> alerts_engine; // the same: its window is read on reader threads

    // The store first: it takes the data directory's lock, so a second daemon stops here.
    std::string why;
    auto db = store::store::open(cfg.db_path, std::max(2u, threads), why);
    if (!db)
    {
        log::error("cannot open the database: {}", why);
        return 1;
    }
    api::services svc{cfg, *db, now_ms()};
    // Admin credential, data key and bootstrap_state_v1 before anything can answer a request.
    auto boot = api::run_bootstrap(cfg, *db, svc.started_at_ms, why);
    if (!boot)
    {
        log::error("bootstrap failed: {}", why);
        return 1;
    }
    svc.state = boot->state;
    api::seed_prices_from_catalog(*db, svc.started_at_ms); // once, into an empty table
    security::auth_throttle::options throttle;
    throttle.max_failures = cfg.auth_max_failures;
    throttle.window = std::chrono::seconds(cfg.auth_window_seconds);
    throttle.block = std::chrono::seconds(cfg.auth_block_seconds);
    svc.auth = std::make_shared<api::admin_auth>(std::move(boot->credential), throttle);

    asio::io_context ioc(static_cast<int>(threads));

    std::unique_ptr<collector::collector_service> coll;
    try
    {
        collector::service_options co;
        co.data_dir = cfg.data_dir;
        co.plugin_dir = cfg.plugin_dir;
        co.limits.disk_reserve = std::uint64_t{cfg.spool_reserve_mb} << 20;
        co.executor = ioc.get_executor();
        co.writer = &db->writer();
        co.resolve = [s = &svc] { return resolve_collector(s); };
        coll = std::make_unique<collector::collector_service>(std::move(co));
    }
    catch (const std::exception& e)
    {
        log::error("cannot open the collector spool: {}", e.what());
        return 1;
    }
    svc.restart_collector = [c = coll.get()] { c->restart(); };
    svc.collector_status = [c = coll.get()] { return c->status(); };
    {
        alerts::engine_options ao;
        ao.executor = ioc.get_executor();
        ao.db = db.get();
        ao.collector_status = svc.collector_status;
        alerts_engine = std::make_shared<alerts::engine>(std::move(ao));
        svc.alerts = alerts_engine;
    }
    http::router routes;
    api::add_system_routes(routes, api::system_info{svc.started_at_ms, [state = svc.state] {
                                                        return state->info();
                                                    }});
    api::add_setup_routes(routes, svc);
    api::add_config_routes(routes, svc);
    api::add_status_route(routes, svc);
    api::add_usage_routes(routes, svc);
    auto metrics = std::make_shared<api::metrics_sources>();
    metrics->usage = usage_counters;
    metrics->usage_top_n = cfg.metrics_usage_top_n;
    api::add_metrics_route(routes, svc, metrics);
    api::add_panel_routes(routes, cfg.panel_path);
    api::add_policy_routes(routes, svc);
    api::add_api_key_alias_routes(routes, svc);
    api::add_model_price_routes(routes, svc);
    api::add_model_price_usage_route(routes, svc);
    api::add_dashboard_route(routes, svc);
    api::add_monitoring_routes(routes, svc);
    api::add_alert_routes(routes, svc);
    api::add_model_price_sync_route(routes, svc);
    api::add_proxy_routes(routes, svc); // after the local routes: the proxy takes what they leave

    auto options = server_options_from(cfg);
    options.single_thread = threads == 1;
    options.authorize = [auth = svc.auth](const http::exchange& ex, http::auth_level level)
    { return auth->authorize(ex, level); };
    options.observe = [m = metrics->requests](const http::request_observation& o)
    { m->record(o.route, o.status, o.elapsed); };
    http::server srv(ioc, std::move(routes), std::move(options));
    metrics->server = &srv;
    try
    {
        srv.start();
    }
    catch (const boost::system::system_error& e)
    {
        log::error("cannot listen on {}: {}", cfg.listen.to_string(), e.code().message());
        return 1;
    }
    auto ep = srv.local_endpoint();
    log::info(
        "cpamd {} listening on {}:{} ({} thread{}), data in {}",
        version,
        ep.address().to_string(),
        ep.port(),
        threads,
        threads == 1 ? "" : "s",
        cfg.data_dir.string()
    );

    store::maintenance_options maint;
    maint.retention_days = cfg.retention_days;
    asio::co_spawn(ioc, store::run_maintenance(db->writer(), maint), asio::detached);
    coll->start();
    if (metrics->usage)
        asio::co_spawn(ioc, api::count_stored_usage(svc, *metrics->usage), asio::detached);
    asio::co_spawn(ioc, start_alerts(svc), asio::detached);
    auto backups = start_scheduled_backups(cfg, ioc);
    if (backups)
        metrics->backups = &backups->counters();

    // systemd (Type=notify): ready now that the store and the listener are up.
    const auto notifier = ops::sd_notifier::from_environment();
    notifier.notify(fmt::format("READY=1\nSTATUS=listening on {}:{}", ep.address().to_string(), ep.port()));
    if (auto period = notifier.watchdog_period())
        asio::co_spawn(ioc, ops::feed_watchdog(notifier, *period), asio::detached);

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait(
        [&](const boost::system::error_code& sec, int sig)
        {
            if (sec)
                return;
            log::info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            notifier.notify("STOPPING=1");
            asio::co_spawn(ioc, drain_then_stop(srv, ioc, signals, coll.get()), asio::detached);
        }
    );

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i)
        pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool)
        t.join();
    db->writer().drain();
    log::info("cpamd stopped");
    return 0;
}

} // namespace cpamd::app
