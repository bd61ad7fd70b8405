#pragma once

// The usage families of /metrics (docs/monitoring.md): requests, failures by status class,
// tokens by type, cost, and by model the latency and TTFT histograms; by model, credential and
// API key. Until the counters have read the whole store only cpamd_usage_metrics_ready (0).

#include <cpamd/analytics/usage_counters.hpp>
#include <cpamd/ops/prometheus_text.hpp>

namespace cpamd::api
{

void write_usage(ops::prometheus_text& out, const analytics::usage_snapshot& usage);

} // namespace cpamd::api
