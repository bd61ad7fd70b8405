#pragma once

// GET /metrics: Prometheus text format (docs/operations.md lists every metric). Who may read it:
// a client on loopback when METRICS_ALLOW_LOOPBACK is on, a bearer METRICS_TOKEN, or the admin key
// (through the admin gate, so wrong guesses are throttled like any other admin route).

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
};

void add_metrics_route(http::router& r, services& svc, std::shared_ptr<metrics_sources> sources);

// The whole exposition, for tests and the route.
std::string render_metrics(services& svc, const metrics_sources& sources);

} // namespace cpamd::api
