// Requests, tokens, cost and P95 latency over time, and the anomaly list.
import { useMemo } from "preact/hooks";
import type { AnalyticsAnswer } from "../../api/types";
import { t, type MessageKey } from "../../i18n/i18n";
import { Card } from "../../components/ui";
import { DataTable } from "../../components/DataTable";
import { callsCol } from "../../components/columns";
import { Lines } from "../../components/charts";
import { useTimeline, TrafficCard } from "./parts";

const SEVERITY_TONE: Record<string, string> = { high: "bad", medium: "warn" };

export function Trends({ data }: { data: AnalyticsAnswer }) {
  const tl = useTimeline(data);
  const daily = data.granularity === "day";
  const tokens = useMemo(() => [{ label: t("chart.tokens"), values: tl.tokens }], [tl]);
  const cost = useMemo(() => [{ label: t("chart.cost"), values: tl.cost, kind: "money" as const }], [tl]);
  const p95 = useMemo(() => [{ label: t("chart.latency"), values: tl.p95, kind: "ms" as const }], [tl]);
  return (
    <div class="stack">
      <TrafficCard data={data} tl={tl} />
      <div class="grid grid-2">
        <Card title={t("chart.tokens")}>
          <Lines x={tl.x} series={tokens} daily={daily} timeZone={data.time_zone} height={170} />
        </Card>
        <Card title={t("chart.cost")}>
          <Lines x={tl.x} series={cost} daily={daily} timeZone={data.time_zone} height={170} />
        </Card>
      </div>
      <Card title={t("an.anomalyList")}>
        <DataTable
          rows={data.anomaly_points ?? []}
          empty={t("an.noAnomalies")}
          columns={[
            { head: t("col.time"), cellClass: "nowrap", cell: (a) => a.label },
            {
              head: t("an.signals"),
              cell: (a) => a.flags.map((f) => t(("an.flag." + f) as MessageKey) || f).join(" · "),
            },
            {
              head: t("an.severity"),
              cell: (a) => (
                <span class={"badge " + (SEVERITY_TONE[a.severity] ?? "")}>
                  {t(("an.sev." + a.severity) as MessageKey)}
                </span>
              ),
            },
            callsCol(),
          ]}
        />
      </Card>
      <Card title={t("chart.latency")}>
        <Lines x={tl.x} series={p95} daily={daily} timeZone={data.time_zone} height={150} />
      </Card>
    </div>
  );
}
