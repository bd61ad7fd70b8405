// The per-model, per-API-key and per-credential tables.
import { useMemo } from "preact/hooks";
import type { AnalyticsAnswer } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtCompact, fmtDateTime, fmtPct } from "../../lib/format";
import { Card } from "../../components/ui";
import { Lines } from "../../components/charts";
import { AliasCell } from "../../components/AliasCell";
import { DataTable } from "../../components/DataTable";
import { modelCol, callsCol, successCol, latencyCol, costCol, shareCol } from "../../components/columns";

export interface Series {
  key: string;
  alias: string;
  points: { bucket_ms: number; calls: number }[];
}

export function ModelsTable({ data }: { data: AnalyticsAnswer }) {
  return (
    <Card title={t("an.tab.models")}>
      <DataTable
        rows={data.model_stats ?? []}
        testid="models-table"
        columns={[
          modelCol(),
          callsCol(),
          successCol(),
          { head: t("col.input"), class: "num hide-sm", cell: (m) => fmtCompact(m.input_tokens) },
          { head: t("col.output"), class: "num hide-sm", cell: (m) => fmtCompact(m.output_tokens) },
          { head: t("col.cacheHit"), class: "num hide-md", cell: (m) => fmtPct(m.cache_hit_rate) },
          latencyCol("hide-md"),
          costCol(),
          shareCol("cost_share", "hide-sm"),
        ]}
      />
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
        <DataTable
          rows={data.api_key_stats ?? []}
          columns={[
            {
              head: t("col.apiKey"),
              cell: (k) => <AliasCell hash={k.api_key_hash} alias={k.alias} onSaved={onAlias} />,
            },
            callsCol(),
            successCol(),
            { head: t("col.tokens"), class: "num hide-sm", cell: (k) => fmtCompact(k.total_tokens) },
            costCol(),
            {
              head: t("col.lastSeen"),
              class: "num hide-md",
              cell: (k) => fmtDateTime(k.last_seen_ms, data.time_zone),
            },
          ]}
        />
      </Card>
    </div>
  );
}

export function CredentialsTable({ data }: { data: AnalyticsAnswer }) {
  return (
    <Card title={t("an.tab.credentials")}>
      <DataTable
        rows={data.credential_stats ?? []}
        columns={[
          {
            head: t("col.credential"),
            cellClass: "ellipsis",
            title: (c) => c.credential_id,
            cell: (c) => (
              <>
                {c.account_snapshot || c.auth_label_snapshot || c.source || c.auth_index || "–"}
                {c.auth_file_snapshot && <span class="tag">{c.auth_file_snapshot}</span>}
              </>
            ),
          },
          {
            head: t("col.provider"),
            class: "hide-sm",
            cell: (c) => c.auth_provider_snapshot || c.provider || "–",
          },
          callsCol(),
          successCol(),
          latencyCol("hide-md"),
          costCol(),
        ]}
      />
    </Card>
  );
}
