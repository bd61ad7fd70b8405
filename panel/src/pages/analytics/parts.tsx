// Pieces shared by the overview and trends tabs.
import { useMemo } from "preact/hooks";
import type { AnalyticsAnswer } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtChange, fmtInt, fmtNum } from "../../lib/format";
import { Card, Empty } from "../../components/ui";
import { TrafficBars } from "../../components/charts";
import { DataTable } from "../../components/DataTable";
import { modelCol, callsCol, costCol, shareCol } from "../../components/columns";

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

/** Calls and failures per bucket with the anomalies marked: the first card of the overview and trends tabs. */
export function TrafficCard(props: {
  data: AnalyticsAnswer;
  tl: ReturnType<typeof useTimeline>;
  height?: number;
}) {
  const { data, tl } = props;
  return (
    <Card title={t("an.traffic")} actions={<AnomalyLegend n={data.anomaly_points?.length ?? 0} />}>
      <TrafficBars
        x={tl.x}
        calls={tl.calls}
        failures={tl.failures}
        marks={tl.marks}
        daily={data.granularity === "day"}
        timeZone={data.time_zone}
        height={props.height}
      />
    </Card>
  );
}

function AnomalyLegend({ n }: { n: number }) {
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

/** Models by calls: the overview's top models (and, by cost, the dashboard's cost rank). */
export function ModelRows({ rows }: { rows: NonNullable<AnalyticsAnswer["model_stats"]> }) {
  return (
    <DataTable
      rows={rows}
      wrap={false}
      columns={[modelCol(), callsCol(), costCol(), shareCol("calls_share")]}
    />
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
