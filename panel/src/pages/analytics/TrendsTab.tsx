// Requests, tokens, cost and P95 latency over time, and the anomaly list.
import { useMemo } from "preact/hooks";
import type { AnalyticsAnswer } from "../../api/types";
import { t, type MessageKey } from "../../i18n/i18n";
import { fmtInt } from "../../lib/format";
import { Card, Empty } from "../../components/ui";
import { TrafficBars, Lines } from "../../components/charts";
import { useTimeline, AnomalyLegend } from "./parts";

export function Trends({ data }: { data: AnalyticsAnswer }) {
  const tl = useTimeline(data);
  const daily = data.granularity === "day";
  const tokens = useMemo(() => [{ label: t("chart.tokens"), values: tl.tokens }], [tl]);
  const cost = useMemo(() => [{ label: t("chart.cost"), values: tl.cost, kind: "money" as const }], [tl]);
  const p95 = useMemo(() => [{ label: t("chart.latency"), values: tl.p95, kind: "ms" as const }], [tl]);
  const anomalies = data.anomaly_points ?? [];
  return (
    <div class="stack">
      <Card title={t("an.traffic")} actions={<AnomalyLegend n={anomalies.length} />}>
        <TrafficBars
          x={tl.x}
          calls={tl.calls}
          failures={tl.failures}
          marks={tl.marks}
          daily={daily}
          timeZone={data.time_zone}
        />
      </Card>
      <div class="grid grid-2">
        <Card title={t("chart.tokens")}>
          <Lines x={tl.x} series={tokens} daily={daily} timeZone={data.time_zone} height={170} />
        </Card>
        <Card title={t("chart.cost")}>
          <Lines x={tl.x} series={cost} daily={daily} timeZone={data.time_zone} height={170} />
        </Card>
      </div>
      <Card title={t("an.anomalyList")}>
        {anomalies.length ? (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>{t("col.time")}</th>
                  <th>{t("an.signals")}</th>
                  <th>{t("an.severity")}</th>
                  <th class="num">{t("col.calls")}</th>
                </tr>
              </thead>
              <tbody>
                {anomalies.map((a) => (
                  <tr>
                    <td class="nowrap">{a.label}</td>
                    <td>{a.flags.map((f) => t(("an.flag." + f) as MessageKey) || f).join(" · ")}</td>
                    <td>
                      <span
                        class={
                          "badge " + (a.severity === "high" ? "bad" : a.severity === "medium" ? "warn" : "")
                        }
                      >
                        {t(("an.sev." + a.severity) as MessageKey)}
                      </span>
                    </td>
                    <td class="num">{fmtInt((a as unknown as { calls: number }).calls)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty>{t("an.noAnomalies")}</Empty>
        )}
      </Card>
      <Card title={t("chart.latency")}>
        <Lines x={tl.x} series={p95} daily={daily} timeZone={data.time_zone} height={150} />
      </Card>
    </div>
  );
}
