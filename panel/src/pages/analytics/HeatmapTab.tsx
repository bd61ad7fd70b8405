// Requests by weekday and hour in the chosen zone.
import type { AnalyticsAnswer } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtInt, fmtPct, weekdayName } from "../../lib/format";
import { Card, Empty } from "../../components/ui";

export function Heatmap({ data }: { data: AnalyticsAnswer }) {
  const cells = data.heatmap ?? [];
  const max = Math.max(1, ...cells.map((c) => c.calls));
  if (!cells.some((c) => c.calls))
    return (
      <Card title={t("an.tab.heatmap")}>
        <Empty />
      </Card>
    );
  // Monday first reads naturally in both locales; the route answers Sunday first.
  const order = [1, 2, 3, 4, 5, 6, 0];
  return (
    <Card title={t("an.heatTitle", { zone: data.time_zone })}>
      <div class="heat" role="table" aria-label={t("an.tab.heatmap")} data-testid="heatmap">
        <span />
        {Array.from({ length: 24 }, (_, h) => (
          <span class="hhead">{h % 3 === 0 ? h : ""}</span>
        ))}
        {order.map((d) => (
          <>
            <span class="hlabel">{weekdayName(d)}</span>
            {cells
              .filter((c) => c.weekday === d)
              .sort((a, b) => a.hour - b.hour)
              .map((c) => (
                <span
                  class="hcell"
                  style={{ opacity: c.calls ? 0.15 + 0.85 * Math.sqrt(c.calls / max) : 0.05 }}
                  title={`${weekdayName(d)} ${String(c.hour).padStart(2, "0")}:00 · ${t("dash.cellCalls", {
                    calls: fmtInt(c.calls),
                    failed: fmtPct(c.failure_rate),
                  })}`}
                />
              ))}
          </>
        ))}
      </div>
      <p class="small muted">{t("an.heatHint")}</p>
    </Card>
  );
}
