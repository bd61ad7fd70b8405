#pragma once

// What the route families need from the rest of the daemon. Owned by apps/cpamd/daemon.cpp,
// which outlives every request.

#include <boost/json/object.hpp>
#include <cpamd/core/config.hpp>
#include <cpamd/proxy/stats.hpp>
#include <cpamd/store/store.hpp>
#include <cstdint>
#include <functional>
#include <memory>

namespace cpamd::alerts
{
class engine;
} // namespace cpamd::alerts

namespace cpamd::api
{

class manager_state;
class admin_auth;

struct services
{
    const config& cfg;
    store::store& db;
    std::int64_t started_at_ms = 0;
    std::shared_ptr<manager_state> state; // bootstrap record and resolved connection (bootstrap.hpp)
    std::shared_ptr<admin_auth> auth;     // the admin gate (admin_auth.hpp)
    // Called after /setup or a config save changed the connection or collector settings: the
    // collector restarts from the stored settings. Unset until the collector part exists.
    std::function<void()> restart_collector;
    // The collector block of GET /status (spec manager-api §5.3). Unset: a stopped collector.
    std::function<boost::json::object()> collector_status;
    // The alerts engine (docs/alerts.md); null until the daemon starts it.
    std::shared_ptr<alerts::engine> alerts;
    // The reverse proxy's counters (for /metrics).
    std::shared_ptr<proxy::proxy_stats> proxy_stats = std::make_shared<proxy::proxy_stats>();
};

} // namespace cpamd::api
