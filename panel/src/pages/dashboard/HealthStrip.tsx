// 144 ten-minute cells of today, coloured by the share of failed requests.
import type { DashboardSummary } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtInt, fmtTime } from "../../lib/format";

export function HealthStrip({
  points,
}: {
  points: DashboardSummary["today_request_health_timeline"]["points"];
}) {
  return (
    <div>
      <div class="strip" role="list" aria-label={t("dash.health")} data-testid="health-strip">
        {points.map((p) => (
          <span
            role="listitem"
            class={"cell tone-" + (p.future ? "future" : p.tone)}
            title={`${fmtTime(p.bucket_ms).slice(0, 5)} · ${t("dash.cellCalls", { calls: fmtInt(p.calls), failed: fmtInt(p.failure) })}`}
          />
        ))}
      </div>
      <div class="strip-axis muted small" aria-hidden="true">
        <span>00:00</span>
        <span>06:00</span>
        <span>12:00</span>
        <span>18:00</span>
        <span>24:00</span>
      </div>
    </div>
  );
}
