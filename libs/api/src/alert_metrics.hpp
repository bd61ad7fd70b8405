#pragma once

// The alerts families of /metrics (docs/monitoring.md): evaluations, notices by event, and per
// sink the deliveries by outcome and the attempts they took.

#include <cpamd/alerts/engine.hpp>
#include <cpamd/ops/prometheus_text.hpp>

namespace cpamd::api
{

void write_alerts(ops::prometheus_text& out, const alerts::engine_counters& c);

} // namespace cpamd::api
