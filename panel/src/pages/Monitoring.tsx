// Live requests: the newest events first (new ones polled every 2 s while visible), keyset paging,
// a detail drawer, the filters of the analytics route, and account and API-key summaries.
import { useEffect, useRef, useState } from "preact/hooks";
import { post } from "../api/client";
import type { AnalyticsAnswer, EventRow } from "../api/types";
import { t, type MessageKey } from "../i18n/i18n";
import { usePoll } from "../lib/poll";
import { hashQuery } from "../lib/router";
import { timeZone } from "../lib/timezone";
import { fmtCompact, fmtCost, fmtDateTime, fmtInt, fmtMs, fmtPct, fmtTime } from "../lib/format";
import { Card, ErrorNote, Empty, Kpi, Loading, Segmented } from "../components/ui";
import { FilterBar, emptyFilters, toQuery, type FilterState } from "../components/FilterBar";
import { EventDrawer } from "../components/EventDrawer";
import { Summaries } from "./monitoring/Summaries";

const RANGES = [
  ["15m", 15 * 60_000],
  ["1h", 3_600_000],
  ["6h", 6 * 3_600_000],
  ["24h", 86_400_000],
  ["7d", 7 * 86_400_000],
] as const;
const PAGE = 50;
const LATE_MS = 5 * 60_000;

type Answer = AnalyticsAnswer;

export function Monitoring() {
  const [range, setRange] = useState<(typeof RANGES)[number][0]>("24h");
  const [filters, setFilters] = useState<FilterState>(() => ({
    ...emptyFilters,
    outcome: hashQuery().get("outcome") === "failed" ? "failed" : "",
  }));
  const [summary, setSummary] = useState<Answer | null>(null);
  const [rows, setRows] = useState<EventRow[]>([]);
  const [cursor, setCursor] = useState<{
    ms: number | null;
    id: number | null;
    more: boolean;
    total: number;
  }>({
    ms: null,
    id: null,
    more: false,
    total: 0,
  });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<EventRow | null>(null);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const generation = useRef(0);
  const span = RANGES.find((r) => r[0] === range)![1];

  const base = (fromMs: number, toMs: number) => ({
    from_ms: fromMs,
    to_ms: toMs,
    time_zone: timeZone.value,
    ...toQuery(filters),
  });

  // The first page and the summaries, again whenever the filters change.
  const reload = async () => {
    const gen = ++generation.current;
    setLoading(true);
    const now = Date.now();
    try {
      const a = await post<Answer>("/v0/management/monitoring/analytics", {
        ...base(now - span, now + 1000),
        include: {
          summary: true,
          api_key_stats: true,
          account_stats: true,
          filter_selectors: true,
          events_page: { limit: PAGE },
        },
      });
      if (gen !== generation.current) return;
      setSummary(a);
      setRows(a.events?.items ?? []);
      setCursor({
        ms: a.events?.next_before_ms ?? null,
        id: a.events?.next_before_id ?? null,
        more: !!a.events?.has_more,
        total: a.events?.total_count ?? 0,
      });
      setFresh(new Set());
      setError(null);
    } catch (e) {
      if (gen === generation.current) setError(e);
    }
    if (gen === generation.current) setLoading(false);
  };
  useEffect(() => void reload(), [range, filters, timeZone.value]);

  // New rows: ask only for what is newer than the newest row shown.
  usePoll(
    async () => {
      if (loading) return;
      const gen = generation.current;
      // A few minutes back from the newest row: a long request is stored after shorter ones that started
      // later, so its row arrives with an older timestamp.
      const newest = Math.max((rows[0]?.timestamp_ms ?? 0) - LATE_MS, Date.now() - span);
      try {
        const a = await post<Answer>("/v0/management/monitoring/analytics", {
          ...base(newest, Date.now() + 1000),
          include: { events_page: { limit: 200 } },
        });
        if (gen !== generation.current) return;
        const seen = new Set(rows.map((r) => r.id));
        const added = (a.events?.items ?? []).filter((r) => !seen.has(r.id));
        if (added.length) {
          setRows((old) => {
            const have = new Set(old.map((r) => r.id));
            return [...added.filter((r) => !have.has(r.id)), ...old].sort(
              (a, b) => b.timestamp_ms - a.timestamp_ms || b.id - a.id,
            );
          });
          setFresh(new Set(added.map((r) => r.id)));
          setCursor((c) => ({ ...c, total: c.total + added.length }));
        }
      } catch {
        /* the next tick tries again; a 401 logs out by itself */
      }
    },
    1000, // a new request shows within 2 s of being stored (issue 20)
    { immediate: false },
  );
  // The summaries follow more slowly.
  usePoll(
    async () => {
      const now = Date.now();
      const gen = generation.current;
      try {
        const a = await post<Answer>("/v0/management/monitoring/analytics", {
          ...base(now - span, now + 1000),
          include: { summary: true, api_key_stats: true, account_stats: true, filter_selectors: true },
        });
        if (gen === generation.current) setSummary((old) => (old ? { ...old, ...a } : a));
      } catch {
        /* shown on the next full reload */
      }
    },
    30_000,
    { immediate: false },
  );

  async function more() {
    if (!cursor.more) return;
    const gen = generation.current;
    const now = Date.now();
    try {
      const a = await post<Answer>("/v0/management/monitoring/analytics", {
        ...base(now - span, now + 1000),
        include: { events_page: { limit: PAGE, before_ms: cursor.ms, before_id: cursor.id } },
      });
      if (gen !== generation.current) return;
      setRows((old) => [...old, ...(a.events?.items ?? [])]);
      setCursor((c) => ({
        ...c,
        ms: a.events?.next_before_ms ?? null,
        id: a.events?.next_before_id ?? null,
        more: !!a.events?.has_more,
      }));
    } catch (e) {
      setError(e);
    }
  }

  const onAlias = (hash: string, alias: string) => {
    setSummary((s) =>
      s
        ? {
            ...s,
            api_key_stats: s.api_key_stats?.map((k) => (k.api_key_hash === hash ? { ...k, alias } : k)),
          }
        : s,
    );
    setRows((old) => old.map((r) => (r.api_key_hash === hash ? { ...r, api_key_alias: alias } : r)));
  };

  const sm = summary?.summary;
  return (
    <div class="page" data-testid="page-monitoring">
      <div class="page-bar">
        <Segmented
          label={t("range.label")}
          options={RANGES.map(([name]) => name)}
          value={range}
          onChange={setRange}
          text={(name) => t(("range." + name) as MessageKey)}
        />
        <span class="live small">
          <span class="live-dot" aria-hidden="true" /> {t("mon.live")}
        </span>
      </div>
      <FilterBar value={filters} onChange={setFilters} selectors={summary?.filter_selectors} />
      <ErrorNote error={error} onRetry={reload} />
      {sm && (
        <div class="kpis">
          <Kpi label={t("dash.requests")} value={fmtInt(sm.calls)} />
          <Kpi label={t("dash.successRate")} value={fmtPct(sm.success_rate)} />
          <Kpi label={t("dash.tokens")} value={fmtCompact(sm.total_tokens)} />
          <Kpi label={t("dash.cost")} value={fmtCost(sm.cost)} />
          <Kpi label={t("dash.avgLatency")} value={fmtMs(sm.average_latency_ms)} />
        </div>
      )}

      <Card
        title={t("mon.requests")}
        testid="requests-card"
        actions={
          <span class="muted small">
            {t("mon.shown", { shown: fmtInt(rows.length), total: fmtInt(cursor.total) })}
          </span>
        }
      >
        {loading && !rows.length ? (
          <Loading />
        ) : rows.length ? (
          <div class="table-wrap table-scroll">
            <table class="table table-click" data-testid="requests-table">
              <thead>
                <tr>
                  <th>{t("col.time")}</th>
                  <th>{t("col.model")}</th>
                  <th class="hide-sm">{t("col.apiKey")}</th>
                  <th class="hide-md">{t("col.account")}</th>
                  <th>{t("col.status")}</th>
                  <th class="num hide-sm">{t("col.tokens")}</th>
                  <th class="num">{t("col.latency")}</th>
                  <th class="num hide-md">{t("col.cost")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr
                    key={r.id}
                    data-id={r.id}
                    class={fresh.has(r.id) ? "fresh" : ""}
                    tabIndex={0}
                    onClick={() => setOpen(r)}
                    onKeyDown={(e) =>
                      (e.key === "Enter" || e.key === " ") && (e.preventDefault(), setOpen(r))
                    }
                    aria-label={t("mon.openRow", { model: r.model, time: fmtTime(r.timestamp_ms) })}
                  >
                    <td class="nowrap mono">
                      {(span > 86_400_000 ? fmtDateTime : fmtTime)(r.timestamp_ms, timeZone.value)}
                    </td>
                    <td class="mono ellipsis" title={r.model}>
                      {r.model}
                    </td>
                    <td class="hide-sm ellipsis">
                      {r.api_key_alias || (r.api_key_hash ? r.api_key_hash.slice(0, 8) : "–")}
                    </td>
                    <td class="hide-md ellipsis" title={r.source}>
                      {r.account_snapshot || r.source || r.auth_index || "–"}
                    </td>
                    <td>
                      {r.failed ? (
                        <span class="badge bad">{r.fail_status_code ?? t("status.err")}</span>
                      ) : (
                        <span class="badge good">{t("status.ok")}</span>
                      )}
                    </td>
                    <td class="num hide-sm">{fmtCompact(r.total_tokens)}</td>
                    <td class="num">{fmtMs(r.latency_ms)}</td>
                    <td class="num hide-md">{fmtCost(r.cost)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty>{t("mon.noRequests")}</Empty>
        )}
        {cursor.more && (
          <div class="more">
            <button class="btn" type="button" onClick={more} data-testid="load-more">
              {t("mon.loadMore")}
            </button>
          </div>
        )}
      </Card>

      <Summaries answer={summary} onAlias={onAlias} />
      {open && <EventDrawer row={open} onClose={() => setOpen(null)} />}
    </div>
  );
}
