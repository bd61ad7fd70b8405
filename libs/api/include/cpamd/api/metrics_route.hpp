#pragma once

// GET /metrics: Prometheus text format (docs/operations.md lists every metric). Who may read it:
// a client on loopback when METRICS_ALLOW_LOOPBACK is on, a bearer METRICS_TOKEN, or the admin key
// (through the admin gate, so wrong guesses are throttled like any other admin route).

#include <cpamd/analytics/usage_counters.hpp>
#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>
#include <cpamd/http/server.hpp>
#include <cpamd/ops/backup_schedule.hpp>
#include <cpamd/ops/request_metrics.hpp>
#include <memory>

namespace cpamd::api
{

// What /metrics reads besides the services. Filled by the daemon; the pointers may be set after
// the route is added (the server exists only once the routes do) but before the loop runs.
struct metrics_sources
{
    std::shared_ptr<ops::request_metrics> requests = std::make_shared<ops::request_metrics>();
    const http::server* server = nullptr;          // connection counters
    const ops::backup_counters* backups = nullptr; // null when scheduled backups are off
    // The usage series (docs/monitoring.md); null when METRICS_USAGE_TOP_N is 0.
    std::shared_ptr<analytics::usage_counters> usage;
    std::size_t usage_top_n = 0;
};

// Counts the events stored before the start in chunks on the reader pool, then marks the usage
// counters ready (scrapes meanwhile say cpamd_usage_metrics_ready 0). Spawn on the io_context;
// `usage` must outlive it.
boost::asio::awaitable<void> count_stored_usage(services& svc, analytics::usage_counters& usage);

void add_metrics_route(http::router& r, services& svc, std::shared_ptr<metrics_sources> sources);

// The whole exposition, for tests and the route; `usage` from usage_counters::snapshot.
std::string render_metrics(
    services& svc, const metrics_sources& sources, const analytics::usage_snapshot* usage = nullptr
);

} // namespace cpamd::api
