// KPIs with the previous period, traffic with anomalies, top models, hours of the day.
import type { AnalyticsAnswer } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtCompact, fmtCost, fmtInt, fmtMs, fmtPct } from "../../lib/format";
import { Card, Kpi, Loading } from "../../components/ui";
import { Delta, useTimeline, TrafficCard, ModelRows, HourBars } from "./parts";

export function Overview({ data }: { data: AnalyticsAnswer }) {
  const s = data.summary;
  const c = data.summary_comparison;
  const tl = useTimeline(data);
  if (!s) return <Loading />;
  return (
    <div class="stack">
      <div class="kpis">
        <Kpi
          label={t("dash.requests")}
          value={fmtInt(s.calls)}
          sub={c ? <Delta change={c.calls_change} /> : undefined}
          testid="an-calls"
        />
        <Kpi
          label={t("dash.successRate")}
          value={fmtPct(s.success_rate)}
          sub={c ? <Delta change={c.success_rate_change} none={!c.calls} points /> : undefined}
        />
        <Kpi
          label={t("dash.tokens")}
          value={fmtCompact(s.total_tokens)}
          sub={c ? <Delta change={c.tokens_change} /> : undefined}
        />
        <Kpi
          label={t("dash.cost")}
          value={fmtCost(s.cost)}
          sub={c ? <Delta change={c.cost_change} /> : undefined}
        />
        <Kpi
          label={t("an.p95")}
          value={fmtMs(s.p95_latency_ms)}
          sub={t("an.ttftP95", { ms: fmtMs(s.p95_ttft_ms) })}
        />
        <Kpi
          label={t("col.cacheHit")}
          value={fmtPct(s.cache_hit_rate)}
          sub={t("an.perCall", { cost: fmtCost(s.average_cost_per_call) })}
        />
      </div>
      <TrafficCard data={data} tl={tl} height={200} />
      <div class="grid grid-2">
        <Card title={t("an.topModels")}>
          <ModelRows rows={(data.model_stats ?? []).slice(0, 8)} />
        </Card>
        <Card title={t("an.byHour")}>
          <HourBars rows={data.hourly_distribution ?? []} />
        </Card>
      </div>
    </div>
  );
}
