// The API-key and account summaries of the monitored range; aliases are edited in place.
import type { AnalyticsAnswer } from "../../api/types";
import { t } from "../../i18n/i18n";
import { Card } from "../../components/ui";
import { AliasCell } from "../../components/AliasCell";
import { DataTable } from "../../components/DataTable";
import { callsCol, successCol, costCol } from "../../components/columns";

export function Summaries({
  answer: summary,
  onAlias,
}: {
  answer: AnalyticsAnswer | null;
  onAlias: (hash: string, alias: string) => void;
}) {
  return (
    <div class="grid grid-2">
      <Card title={t("mon.apiKeys")} testid="api-keys-card">
        <DataTable
          rows={summary?.api_key_stats?.slice(0, 20) ?? []}
          columns={[
            {
              head: t("col.apiKey"),
              cell: (k) => (
                <AliasCell
                  hash={k.api_key_hash}
                  alias={k.alias}
                  onSaved={(a) => onAlias(k.api_key_hash, a)}
                />
              ),
            },
            callsCol(),
            successCol("hide-sm"),
            costCol(),
          ]}
        />
      </Card>
      <Card title={t("mon.accounts")}>
        <DataTable
          rows={summary?.account_stats?.slice(0, 12) ?? []}
          columns={[
            {
              head: t("col.account"),
              cellClass: "ellipsis",
              title: (a) => a.account,
              cell: (a) => (
                <>
                  {a.account || "–"} {a.provider && <span class="tag">{a.provider}</span>}
                </>
              ),
            },
            callsCol(),
            successCol("hide-sm"),
            costCol(),
          ]}
        />
      </Card>
    </div>
  );
}
