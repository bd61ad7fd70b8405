// Today at a glance: KPIs, 24 h traffic, the 10-minute health strip, token mix, models, channels, failures,
// and the collector. Refreshes every 60 s while the tab is visible.
import { useMemo, useState } from "preact/hooks";
import { get } from "../api/client";
import type { DashboardSummary, Names, Status } from "../api/types";
import { t, type MessageKey } from "../i18n/i18n";
import { usePoll } from "../lib/poll";
import { fmtCompact, fmtCost, fmtInt, fmtMs, fmtPct, fmtTime, fmtNum } from "../lib/format";
import { Card, Kpi, ErrorNote, Loading, Fact } from "../components/ui";
import { DataTable, type Column } from "../components/DataTable";
import { modelCol, callsCol, successCol, latencyCol, costCol, shareCol } from "../components/columns";
import { TrafficBars } from "../components/charts";
import { CollectorCard } from "../components/CollectorCard";
import { TokenMix } from "./dashboard/TokenMix";
import { HealthStrip } from "./dashboard/HealthStrip";
import { RecentFailures } from "./dashboard/RecentFailures";

/** A channel or failure source: its tone as a dot, its name, and its provider when known. */
const sourceCol = <R extends Partial<Names> & { tone: string }>(head: string): Column<R> => ({
  head,
  cellClass: "ellipsis",
  title: (r) => r.source || r.auth_index,
  cell: (r) => (
    <>
      <span class={"dot tone-bg-" + r.tone} aria-label={t(("tone." + r.tone) as MessageKey)} />{" "}
      {r.source || r.auth_index || "-"}
      {r.auth_provider_snapshot && <span class="tag">{r.auth_provider_snapshot}</span>}
    </>
  ),
});

function localMidnight(now: Date): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

export function Dashboard() {
  const [sum, setSum] = useState<DashboardSummary | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [stamp, setStamp] = useState(0);

  const load = async () => {
    const now = new Date();
    // The collector card comes on its own, so the figures never wait for it.
    get<Status>("/status").then(setStatus, () => {});
    try {
      setSum(
        await get<DashboardSummary>(
          `/v0/management/dashboard/summary?today_start_ms=${localMidnight(now)}&now_ms=${now.getTime()}&top_models=8&recent_failures=8`,
        ),
      );
      setError(null);
      setStamp(Date.now());
    } catch (e) {
      setError(e);
    }
  };
  usePoll(load, 60_000);

  const traffic = useMemo(() => {
    const tl = sum?.traffic_timeline ?? [];
    return {
      x: tl.map((b) => b.bucket_ms / 1000),
      calls: tl.map((b) => b.calls),
      failures: tl.map((b) => b.failure),
    };
  }, [sum]);

  if (!sum) return error ? <ErrorNote error={error} onRetry={load} /> : <Loading />;
  const d = sum.today;
  const rateTone =
    d.total_calls === 0 ? "" : d.success_rate >= 0.95 ? "good" : d.success_rate >= 0.8 ? "warn" : "bad";

  return (
    <div class="page" data-testid="page-dashboard">
      <div class="page-bar">
        <span class="muted small">
          {t("dash.updated", { time: fmtTime(stamp) })} · {t("dash.autoRefresh")}
        </span>
        <button class="btn btn-small" type="button" onClick={load}>
          {t("common.refresh")}
        </button>
      </div>
      <ErrorNote error={error} />
      <div class="kpis">
        <Kpi
          label={t("dash.requests")}
          value={fmtInt(d.total_calls)}
          testid="kpi-calls"
          sub={t("dash.failedN", { n: fmtInt(d.failure_calls) })}
        />
        <Kpi
          label={t("dash.successRate")}
          value={fmtPct(d.success_rate)}
          tone={rateTone}
          testid="kpi-success-rate"
        />
        <Kpi
          label={t("dash.tokens")}
          value={fmtCompact(d.total_tokens)}
          testid="kpi-tokens"
          sub={`${t("tok.input")} ${fmtCompact(d.input_tokens)} · ${t("tok.output")} ${fmtCompact(d.output_tokens)}`}
        />
        <Kpi label={t("dash.cost")} value={fmtCost(d.total_cost)} testid="kpi-cost" />
        <Kpi label={t("dash.avgLatency")} value={fmtMs(d.average_latency_ms)} testid="kpi-latency" />
        <Kpi
          label={t("dash.last30m")}
          value={fmtNum(sum.rolling_30m.rpm, 1)}
          sub={`${t("dash.rpm")} · ${fmtCompact(sum.rolling_30m.tpm)} ${t("dash.tpm")}`}
          testid="kpi-rpm"
        />
      </div>

      <div class="grid grid-2-1">
        <Card title={t("dash.traffic24h")}>
          <TrafficBars {...traffic} testid="chart-traffic" />
        </Card>
        <Card title={t("dash.tokenMix")}>
          <TokenMix mix={sum.token_mix} />
          <dl class="facts mix-facts">
            <Fact label={t("tok.total")}>{fmtInt(d.total_tokens)}</Fact>
            <Fact label={t("dash.zeroToken")}>{fmtInt(d.zero_token_calls)}</Fact>
          </dl>
        </Card>
      </div>

      <Card
        title={t("dash.health")}
        actions={
          <span class="muted small">
            {t("dash.healthRate", { rate: fmtPct(sum.today_request_health_timeline.success_rate) })}
          </span>
        }
      >
        <HealthStrip points={sum.today_request_health_timeline.points} />
      </Card>

      <div class="grid grid-2">
        <Card title={t("dash.modelCost")}>
          <DataTable
            rows={sum.model_cost_rank}
            wrap={false}
            columns={[modelCol(), callsCol(), costCol(), shareCol("cost_share")]}
          />
        </Card>
        <Card title={t("dash.channels")}>
          <DataTable
            rows={sum.channel_health}
            wrap={false}
            columns={[sourceCol(t("col.channel")), callsCol(), successCol(), latencyCol("hide-sm")]}
          />
        </Card>
      </div>

      <div class="grid grid-2">
        <Card title={t("dash.failureSources")}>
          <DataTable
            rows={sum.failure_sources}
            wrap={false}
            empty={t("dash.noFailures")}
            columns={[
              sourceCol(t("col.source")),
              {
                head: t("col.failures"),
                class: "num",
                cell: (f) => `${fmtInt(f.failures)} / ${fmtInt(f.calls)}`,
              },
              { head: t("col.failureRate"), class: "num", cell: (f) => fmtPct(f.failure_rate) },
              { head: t("col.lastSeen"), class: "num hide-sm", cell: (f) => fmtTime(f.last_seen_ms) },
            ]}
          />
        </Card>
        <Card
          title={t("dash.recentFailures")}
          actions={
            <a class="small" href="#/monitoring?outcome=failed" data-testid="all-failures">
              {t("dash.allFailures")}
            </a>
          }
        >
          <RecentFailures items={sum.recent_failures} />
        </Card>
      </div>

      {status && <CollectorCard status={status} />}
    </div>
  );
}
