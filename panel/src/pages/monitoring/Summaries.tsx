// The API-key and account summaries of the monitored range; aliases are edited in place.
import type { AnalyticsAnswer } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtCost, fmtInt, fmtPct } from "../../lib/format";
import { Card, Empty } from "../../components/ui";
import { AliasCell } from "../../components/AliasCell";

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
        {summary?.api_key_stats?.length ? (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>{t("col.apiKey")}</th>
                  <th class="num">{t("col.calls")}</th>
                  <th class="num hide-sm">{t("col.success")}</th>
                  <th class="num">{t("col.cost")}</th>
                </tr>
              </thead>
              <tbody>
                {summary.api_key_stats.slice(0, 20).map((k) => (
                  <tr>
                    <td>
                      <AliasCell
                        hash={k.api_key_hash}
                        alias={k.alias}
                        onSaved={(a) => onAlias(k.api_key_hash, a)}
                      />
                    </td>
                    <td class="num">{fmtInt(k.calls)}</td>
                    <td class="num hide-sm">{fmtPct(k.success_rate)}</td>
                    <td class="num">{fmtCost(k.cost)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty />
        )}
      </Card>
      <Card title={t("mon.accounts")}>
        {summary?.account_stats?.length ? (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>{t("col.account")}</th>
                  <th class="num">{t("col.calls")}</th>
                  <th class="num hide-sm">{t("col.success")}</th>
                  <th class="num">{t("col.cost")}</th>
                </tr>
              </thead>
              <tbody>
                {summary.account_stats.slice(0, 12).map((a) => (
                  <tr>
                    <td class="ellipsis" title={a.account}>
                      {a.account || "–"} {a.provider && <span class="tag">{a.provider}</span>}
                    </td>
                    <td class="num">{fmtInt(a.calls)}</td>
                    <td class="num hide-sm">{fmtPct(a.success_rate)}</td>
                    <td class="num">{fmtCost(a.cost)}</td>
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
