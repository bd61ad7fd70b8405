// Pieces shared by the overview and trends tabs.
import { useMemo } from "preact/hooks";
import type { AnalyticsAnswer } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtChange, fmtCost, fmtInt, fmtNum } from "../../lib/format";
import { Empty, ShareBar } from "../../components/ui";

export function Delta({
  change,
  none,
  points,
}: {
  change: number | null | undefined;
  none?: boolean;
  points?: boolean;
}) {
  if (change == null || none) return <span class="muted">{t("an.noPrevious")}</span>;
  // A rate's change is in percentage points, the others relative.
  const text = points ? t("an.points", { n: fmtNum(change * 100, 1, true) }) : fmtChange(change);
  return (
    <span>
      <span class={"delta " + (change > 0 ? "up" : change < 0 ? "down" : "")}>
        {change > 0 ? "▲ " : change < 0 ? "▼ " : ""}
        {text}
      </span>{" "}
      <span class="muted">{t("an.vsPrevious")}</span>
    </span>
  );
}

export function useTimeline(data: AnalyticsAnswer) {
  return useMemo(() => {
    const tl = data.timeline ?? [];
    return {
      x: tl.map((b) => b.bucket_ms / 1000),
      calls: tl.map((b) => b.calls),
      failures: tl.map((b) => b.failure),
      tokens: tl.map((b) => b.total_tokens),
      cost: tl.map((b) => b.cost),
      p95: tl.map((b) => b.p95_latency_ms),
      marks: (data.anomaly_points ?? []).map((a) => a.bucket_ms / 1000),
    };
  }, [data]);
}

export function AnomalyLegend({ n }: { n: number }) {
  if (!n) return null;
  return (
    <span class="small muted">
      <span class="anomaly-mark" aria-hidden="true">
        ▼
      </span>{" "}
      {t("an.anomalies", { n })}
    </span>
  );
}

export function ModelRows({ rows }: { rows: NonNullable<AnalyticsAnswer["model_stats"]> }) {
  if (!rows.length) return <Empty />;
  return (
    <table class="table">
      <thead>
        <tr>
          <th>{t("col.model")}</th>
          <th class="num">{t("col.calls")}</th>
          <th class="num">{t("col.cost")}</th>
          <th class="bar-col">{t("col.share")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((m) => (
          <tr>
            <td class="mono ellipsis" title={m.model}>
              {m.model}
            </td>
            <td class="num">{fmtInt(m.calls)}</td>
            <td class="num">{fmtCost(m.cost)}</td>
            <td class="bar-col">
              <ShareBar share={m.calls_share} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function HourBars({ rows }: { rows: NonNullable<AnalyticsAnswer["hourly_distribution"]> }) {
  const max = Math.max(1, ...rows.map((r) => r.calls));
  if (!rows.some((r) => r.calls)) return <Empty />;
  return (
    <div class="hours" role="img" aria-label={t("an.byHour")}>
      {rows.map((r) => (
        <div class="hour" title={`${String(r.hour).padStart(2, "0")}:00 · ${fmtInt(r.calls)}`}>
          <span style={{ height: (r.calls / max) * 100 + "%" }} />
        </div>
      ))}
      <div class="hours-axis muted small">
        <span>0</span>
        <span>6</span>
        <span>12</span>
        <span>18</span>
        <span>23</span>
      </div>
    </div>
  );
}
