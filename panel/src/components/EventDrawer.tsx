// One request in full: outcome, timing, tokens, identity, the sanitized failure summary and kept headers.
import type { EventRow } from "../api/types";
import { t } from "../i18n/i18n";
import { fmtCost, fmtDateTime, fmtInt, fmtMs, fmtPct } from "../lib/format";
import { timeZone } from "../lib/timezone";
import { Drawer } from "./Drawer";
import { Fact } from "./ui";
import { readableFailure } from "../lib/failure";

export function EventDrawer({ row: r, onClose }: { row: EventRow; onClose: () => void }) {
  const facts: [string, string][] = [
    [t("col.time"), fmtDateTime(r.timestamp_ms, timeZone.value)],
    [t("col.status"), r.failed ? `${t("filter.failed")} ${r.fail_status_code ?? ""}` : t("filter.success")],
    [t("col.latency"), fmtMs(r.latency_ms)],
    [t("ev.ttft"), fmtMs(r.ttft_ms)],
    [t("col.cost"), fmtCost(r.cost)],
    [t("ev.stream"), r.stream == null ? "–" : r.stream ? t("common.yes") : t("common.no")],
  ];
  const tokens: [string, number][] = [
    [t("tok.input"), r.input_tokens],
    [t("tok.output"), r.output_tokens],
    [t("tok.reasoning"), r.reasoning_tokens],
    [t("tok.cached"), r.cache_read_tokens + r.cached_tokens],
    [t("tok.cacheCreation"), r.cache_creation_tokens],
    [t("tok.total"), r.total_tokens],
  ];
  const who: [string, string][] = [
    [t("col.model"), r.model],
    [t("ev.requested"), r.requested_model],
    [t("ev.resolved"), r.response_model || r.resolved_model],
    [t("col.provider"), r.provider || r.auth_provider_snapshot],
    [t("ev.endpoint"), r.endpoint],
    [t("col.apiKey"), r.api_key_alias || r.api_key_hash],
    [t("col.account"), r.account_snapshot || r.source],
    [t("ev.authIndex"), r.auth_index],
    [t("ev.requestId"), r.request_id],
    [t("ev.effort"), r.reasoning_effort],
    [t("ev.tier"), r.service_tier],
    [t("ev.client"), [r.client_ip, r.user_agent].filter(Boolean).join(" · ")],
  ];
  const headers: [string, string][] = [];
  if (r.header_quota_used_percent != null)
    headers.push([t("ev.quotaUsed"), fmtPct(r.header_quota_used_percent / 100)]);
  if (r.header_quota_recover_at_ms)
    headers.push([t("ev.quotaReset"), fmtDateTime(r.header_quota_recover_at_ms)]);
  if (r.header_quota_plan_type) headers.push([t("ev.plan"), r.header_quota_plan_type]);
  if (r.header_error_kind || r.header_error_code)
    headers.push([t("ev.errorKind"), [r.header_error_kind, r.header_error_code].filter(Boolean).join(" / ")]);
  if (r.header_trace_id) headers.push([t("ev.trace"), r.header_trace_id]);
  for (const [k, v] of Object.entries(r.response_metadata ?? {}))
    headers.push([k, typeof v === "string" ? v : JSON.stringify(v)]);

  const list = (items: [string, string][]) => (
    <dl class="facts facts-1">
      {items
        .filter(([, v]) => v)
        .map(([k, v]) => (
          <Fact label={k} class="mono wrap">
            {v}
          </Fact>
        ))}
    </dl>
  );
  return (
    <Drawer title={t("ev.title")} onClose={onClose} testid="event-drawer">
      {list(facts)}
      <h3>{t("dash.tokens")}</h3>
      <dl class="facts token-facts">
        {tokens.map(([k, v]) => (
          <Fact label={k} class="tabular">
            {fmtInt(v)}
          </Fact>
        ))}
      </dl>
      {r.failed && (
        <>
          <h3>{t("ev.failure")}</h3>
          {readableFailure(r.fail_summary) !== r.fail_summary.trim() && (
            <p class="fail-readable">{readableFailure(r.fail_summary)}</p>
          )}
          <pre class="code">{r.fail_summary || "–"}</pre>
        </>
      )}
      <h3>{t("ev.identity")}</h3>
      {list(who)}
      <h3>{t("ev.headers")}</h3>
      {headers.length ? list(headers) : <p class="muted small">{t("ev.noHeaders")}</p>}
    </Drawer>
  );
}
