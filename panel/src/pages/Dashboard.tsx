// Today at a glance: KPIs, 24 h traffic, the 10-minute health strip, token mix, models, channels, failures,
// and the collector. Refreshes every 60 s while the tab is visible.
import { useMemo, useState } from "preact/hooks";
import { get } from "../api/client";
import type { DashboardSummary, Status } from "../api/types";
import { t, type MessageKey } from "../i18n/i18n";
import { usePoll } from "../lib/poll";
import { readableFailure } from "../lib/failure";
import { fmtCompact, fmtCost, fmtInt, fmtMs, fmtPct, fmtTime, fmtNum } from "../lib/format";
import { Card, Kpi, ErrorNote, Empty, Loading, ShareBar } from "../components/ui";
import { TrafficBars } from "../components/charts";
import { CollectorCard } from "../components/CollectorCard";
import { TokenMix } from "./dashboard/TokenMix";
import { HealthStrip } from "./dashboard/HealthStrip";

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
            <div>
              <dt>{t("tok.total")}</dt>
              <dd>{fmtInt(d.total_tokens)}</dd>
            </div>
            <div>
              <dt>{t("dash.zeroToken")}</dt>
              <dd>{fmtInt(d.zero_token_calls)}</dd>
            </div>
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
          {sum.model_cost_rank.length ? (
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
                {sum.model_cost_rank.map((m) => (
                  <tr>
                    <td class="mono ellipsis" title={m.model}>
                      {m.model}
                    </td>
                    <td class="num">{fmtInt(m.calls)}</td>
                    <td class="num">{fmtCost(m.cost)}</td>
                    <td class="bar-col">
                      <ShareBar share={m.cost_share} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Empty />
          )}
        </Card>
        <Card title={t("dash.channels")}>
          {sum.channel_health.length ? (
            <table class="table">
              <thead>
                <tr>
                  <th>{t("col.channel")}</th>
                  <th class="num">{t("col.calls")}</th>
                  <th class="num">{t("col.success")}</th>
                  <th class="num hide-sm">{t("col.latency")}</th>
                </tr>
              </thead>
              <tbody>
                {sum.channel_health.map((c) => (
                  <tr>
                    <td class="ellipsis" title={c.source || c.auth_index}>
                      <span
                        class={"dot tone-bg-" + c.tone}
                        aria-label={t(("tone." + c.tone) as MessageKey)}
                      />{" "}
                      {c.source || c.auth_index || "-"}
                      {c.auth_provider_snapshot && <span class="tag">{c.auth_provider_snapshot}</span>}
                    </td>
                    <td class="num">{fmtInt(c.calls)}</td>
                    <td class="num">{fmtPct(c.success_rate)}</td>
                    <td class="num hide-sm">{fmtMs(c.average_latency_ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Empty />
          )}
        </Card>
      </div>

      <div class="grid grid-2">
        <Card title={t("dash.failureSources")}>
          {sum.failure_sources.length ? (
            <table class="table">
              <thead>
                <tr>
                  <th>{t("col.source")}</th>
                  <th class="num">{t("col.failures")}</th>
                  <th class="num">{t("col.failureRate")}</th>
                  <th class="num hide-sm">{t("col.lastSeen")}</th>
                </tr>
              </thead>
              <tbody>
                {sum.failure_sources.map((f) => (
                  <tr>
                    <td class="ellipsis" title={f.source}>
                      <span class={"dot tone-bg-" + f.tone} /> {f.source || f.auth_index || "-"}
                    </td>
                    <td class="num">
                      {fmtInt(f.failures)} / {fmtInt(f.calls)}
                    </td>
                    <td class="num">{fmtPct(f.failure_rate)}</td>
                    <td class="num hide-sm">{fmtTime(f.last_seen_ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Empty>{t("dash.noFailures")}</Empty>
          )}
        </Card>
        <Card
          title={t("dash.recentFailures")}
          actions={
            <a class="small" href="#/monitoring?outcome=failed" data-testid="all-failures">
              {t("dash.allFailures")}
            </a>
          }
        >
          {sum.recent_failures.length ? (
            <ul class="fail-list">
              {sum.recent_failures.map((f) => (
                <li>
                  <div class="fail-head">
                    <span class="badge bad">{f.fail_status_code ?? t("status.err")}</span>
                    <span class="mono ellipsis">{f.model}</span>
                    <span class="muted small nowrap">{fmtTime(f.timestamp_ms)}</span>
                  </div>
                  <div class="fail-summary muted small" title={f.fail_summary}>
                    {f.api_key_alias && <span class="tag">{f.api_key_alias}</span>}{" "}
                    {readableFailure(f.fail_summary) || f.endpoint}
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>{t("dash.noFailures")}</Empty>
          )}
        </Card>
      </div>

      {status && <CollectorCard status={status} />}
    </div>
  );
}
