#include "alert_metrics.hpp"

namespace cpamd::api
{

void write_alerts(ops::prometheus_text& out, const alerts::engine_counters& c)
{
    out.family("cpamd_alerts_ready", "gauge", "1 once the alert rules have read what they look back on.");
    out.sample("cpamd_alerts_ready", c.ready ? 1 : 0);
    out.family("cpamd_alerts_active", "gauge", "Alert conditions holding now (rule and subject).");
    out.sample("cpamd_alerts_active", static_cast<double>(c.active));
    out.family("cpamd_alert_evaluations_total", "counter", "Evaluations of the alert rules.");
    out.sample("cpamd_alert_evaluations_total", static_cast<double>(c.evaluations));
    out.family("cpamd_alert_notices_total", "counter", "Alert notices by event (firing, resolved, test).");
    for (const char* event : {"firing", "resolved", "test"})
    {
        auto it = c.notices.find(event);
        out.sample(
            "cpamd_alert_notices_total",
            {{"event", event}},
            it == c.notices.end() ? 0 : static_cast<double>(it->second)
        );
    }
    out.family(
        "cpamd_alert_deliveries_total", "counter", "Notices handed to a sink, by outcome after every retry."
    );
    for (const auto& [sink, s] : c.sinks)
    {
        out.sample(
            "cpamd_alert_deliveries_total",
            {{"sink", sink}, {"outcome", "delivered"}},
            static_cast<double>(s.delivered)
        );
        out.sample(
            "cpamd_alert_deliveries_total",
            {{"sink", sink}, {"outcome", "failed"}},
            static_cast<double>(s.failed)
        );
    }
    out.family(
        "cpamd_alert_delivery_attempts_total", "counter", "Delivery attempts, retries included, by sink."
    );
    for (const auto& [sink, s] : c.sinks)
        out.sample("cpamd_alert_delivery_attempts_total", {{"sink", sink}}, static_cast<double>(s.attempts));
    out.family(
        "cpamd_alert_deliveries_dropped_total", "counter", "Deliveries not started: too many were pending."
    );
    out.sample("cpamd_alert_deliveries_dropped_total", static_cast<double>(c.dropped));
}

} // namespace cpamd::api
