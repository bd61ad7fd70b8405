// The per-model, per-API-key and per-credential tables.
import { useMemo } from "preact/hooks";
import type { AnalyticsAnswer } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtCompact, fmtCost, fmtInt, fmtMs, fmtPct, fmtDateTime } from "../../lib/format";
import { Card, Empty, ShareBar } from "../../components/ui";
import { Lines } from "../../components/charts";
import { AliasCell } from "../../components/AliasCell";

export interface Series {
  key: string;
  alias: string;
  points: { bucket_ms: number; calls: number }[];
}

export function ModelsTable({ data }: { data: AnalyticsAnswer }) {
  const rows = data.model_stats ?? [];
  return (
    <Card title={t("an.tab.models")}>
      {rows.length ? (
        <div class="table-wrap">
          <table class="table" data-testid="models-table">
            <thead>
              <tr>
                <th>{t("col.model")}</th>
                <th class="num">{t("col.calls")}</th>
                <th class="num">{t("col.success")}</th>
                <th class="num hide-sm">{t("col.input")}</th>
                <th class="num hide-sm">{t("col.output")}</th>
                <th class="num hide-md">{t("col.cacheHit")}</th>
                <th class="num hide-md">{t("col.latency")}</th>
                <th class="num">{t("col.cost")}</th>
                <th class="bar-col hide-sm">{t("col.share")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr>
                  <td class="mono ellipsis" title={m.model}>
                    {m.model}
                  </td>
                  <td class="num">{fmtInt(m.calls)}</td>
                  <td class="num">{fmtPct(m.success_rate)}</td>
                  <td class="num hide-sm">{fmtCompact(m.input_tokens)}</td>
                  <td class="num hide-sm">{fmtCompact(m.output_tokens)}</td>
                  <td class="num hide-md">{fmtPct(m.cache_hit_rate)}</td>
                  <td class="num hide-md">{fmtMs(m.average_latency_ms)}</td>
                  <td class="num">{fmtCost(m.cost)}</td>
                  <td class="bar-col hide-sm">
                    <ShareBar share={m.cost_share} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty />
      )}
    </Card>
  );
}

export function KeysView({
  data,
  onAlias,
}: {
  data: AnalyticsAnswer & { api_key_timeline?: Series[] };
  onAlias: () => void;
}) {
  const rows = data.api_key_stats ?? [];
  const x = useMemo(() => (data.timeline ?? []).map((b) => b.bucket_ms / 1000), [data]);
  const series = useMemo(
    () =>
      (data.api_key_timeline ?? []).map((s) => ({
        label: s.alias || (s.key ? s.key.slice(0, 8) : t("mon.noKey")),
        values: s.points.map((p) => p.calls),
      })),
    [data],
  );
  return (
    <div class="stack">
      {series.length > 0 && x.length > 0 && (
        <Card title={t("an.keyTrend")}>
          <Lines
            x={x}
            series={series}
            daily={data.granularity === "day"}
            timeZone={data.time_zone}
            height={180}
          />
        </Card>
      )}
      <Card title={t("an.tab.keys")}>
        {rows.length ? (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>{t("col.apiKey")}</th>
                  <th class="num">{t("col.calls")}</th>
                  <th class="num">{t("col.success")}</th>
                  <th class="num hide-sm">{t("col.tokens")}</th>
                  <th class="num">{t("col.cost")}</th>
                  <th class="num hide-md">{t("col.lastSeen")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((k) => (
                  <tr>
                    <td>
                      <AliasCell hash={k.api_key_hash} alias={k.alias} onSaved={onAlias} />
                    </td>
                    <td class="num">{fmtInt(k.calls)}</td>
                    <td class="num">{fmtPct(k.success_rate)}</td>
                    <td class="num hide-sm">{fmtCompact(k.total_tokens)}</td>
                    <td class="num">{fmtCost(k.cost)}</td>
                    <td class="num hide-md">{fmtDateTime(k.last_seen_ms, data.time_zone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty />
        )}
      </Card>
    </div>
  );
}

export function CredentialsTable({ data }: { data: AnalyticsAnswer }) {
  const rows = data.credential_stats ?? [];
  return (
    <Card title={t("an.tab.credentials")}>
      {rows.length ? (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>{t("col.credential")}</th>
                <th class="hide-sm">{t("col.provider")}</th>
                <th class="num">{t("col.calls")}</th>
                <th class="num">{t("col.success")}</th>
                <th class="num hide-md">{t("col.latency")}</th>
                <th class="num">{t("col.cost")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr>
                  <td class="ellipsis" title={c.credential_id}>
                    {c.account_snapshot || c.auth_label_snapshot || c.source || c.auth_index || "–"}
                    {c.auth_file_snapshot && <span class="tag">{c.auth_file_snapshot}</span>}
                  </td>
                  <td class="hide-sm">{c.auth_provider_snapshot || c.provider || "–"}</td>
                  <td class="num">{fmtInt(c.calls)}</td>
                  <td class="num">{fmtPct(c.success_rate)}</td>
                  <td class="num hide-md">{fmtMs(c.average_latency_ms)}</td>
                  <td class="num">{fmtCost(c.cost)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty />
      )}
    </Card>
  );
}
