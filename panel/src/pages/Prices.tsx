// Model prices (USD per 1M tokens): which used models have no price, the table editor, and sync from the
// public price lists or the bundled catalog with a confirmation step for fuzzy candidates.
import { useEffect, useMemo, useState } from "preact/hooks";
import { get, put } from "../api/client";
import type { Price, PricesAnswer, UsageSummary } from "../api/types";
import { t } from "../i18n/i18n";
import { fmtInt } from "../lib/format";
import { Card, ErrorNote, Empty, Loading, OkNote } from "../components/ui";
import { Icon } from "../components/Icon";
import { RATES, toRow, fromRow, type Row } from "./prices/rows";
import { SyncCard } from "./prices/SyncCard";
import { DataTable } from "../components/DataTable";
import { modelCol, callsCol } from "../components/columns";

const PAGE = 30;

export function Prices() {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [catalog, setCatalog] = useState<PricesAnswer["catalog"]>();
  const [usage, setUsage] = useState<UsageSummary | null>(null);
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [query, setQuery] = useState("");
  const [limit, setLimit] = useState(PAGE);

  const load = async () => {
    try {
      const [p, u] = await Promise.all([
        get<PricesAnswer>("/v0/management/model-prices"),
        get<UsageSummary>("/v0/management/model-prices/usage-summary"),
      ]);
      apply(p);
      setUsage(u);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  const apply = (p: PricesAnswer) => {
    setRows(
      Object.keys(p.prices)
        .sort((a, b) => a.localeCompare(b))
        .map((m) => toRow(m, p.prices[m])),
    );
    if (p.catalog) setCatalog(p.catalog);
    setDirty(false);
  };
  useEffect(() => void load(), []);

  const priced = useMemo(() => new Set((rows ?? []).map((r) => r.model)), [rows]);
  const unpriced = useMemo(() => (usage?.models ?? []).filter((m) => !priced.has(m.model)), [usage, priced]);
  const invalid = (rows ?? []).some(
    (r) => !r.model.trim() || RATES.some((k) => r.text[k].trim() !== "" && !(Number(r.text[k]) >= 0)),
  );

  async function save() {
    if (!rows) return;
    setBusy(true);
    setSaveError(null);
    setSaved(false);
    const prices: Record<string, Price> = {};
    for (const r of rows) prices[r.model.trim()] = fromRow(r);
    try {
      apply(await put<PricesAnswer>("/v0/management/model-prices", { prices }));
      setSaved(true);
    } catch (e) {
      setSaveError(e);
    }
    setBusy(false);
  }

  const edit = (model: string, patch: Partial<Row>) => {
    setRows((rs) => rs!.map((r) => (r.model === model ? { ...r, ...patch } : r)));
    setDirty(true);
    setSaved(false);
  };
  const addRow = (model: string) => {
    if (!rows || priced.has(model)) return;
    setRows([toRow(model, { prompt: 0, completion: 0, cache: 0, source: "manual" }), ...rows]);
    setQuery("");
    setDirty(true);
    setSaved(false);
  };

  if (!rows) return error ? <ErrorNote error={error} onRetry={load} /> : <Loading />;
  const q = query.trim().toLowerCase();
  // Models in use first (most calls first), then the rest by name.
  const calls = new Map((usage?.models ?? []).map((m) => [m.model, m.calls]));
  const shown = rows
    .filter((r) => !q || r.model.toLowerCase().includes(q))
    .sort((a, b) => (calls.get(b.model) ?? -1) - (calls.get(a.model) ?? -1));

  return (
    <div class="page" data-testid="page-prices">
      <div class="grid grid-2">
        <Card title={t("price.used")} testid="usage-summary">
          {usage && (
            <p class="small muted">
              {t("price.usedHint", {
                events: fmtInt(usage.sampled_events),
                models: usage.models.length,
                unpriced: unpriced.length,
              })}
            </p>
          )}
          <DataTable
            rows={usage?.models ?? []}
            wrap="table-wrap scroll-y"
            rowClass={(m) => (priced.has(m.model) ? undefined : "unpriced")}
            columns={[
              modelCol(),
              callsCol(),
              {
                head: t("price.state"),
                cell: (m) =>
                  priced.has(m.model) ? (
                    <span class="badge good">{t("price.priced")}</span>
                  ) : (
                    <button
                      class="btn btn-small"
                      type="button"
                      onClick={() => addRow(m.model)}
                      data-testid="add-unpriced"
                    >
                      <Icon name="plus" size={14} /> {t("price.addPrice")}
                    </button>
                  ),
              },
            ]}
          />
        </Card>
        <SyncCard
          catalog={catalog}
          unpriced={unpriced.map((m) => m.model)}
          current={rows}
          onDone={(p) => {
            apply(p);
            void get<UsageSummary>("/v0/management/model-prices/usage-summary").then(setUsage, () => {});
          }}
        />
      </div>

      <Card
        title={t("price.table", { n: rows.length })}
        testid="price-table"
        actions={
          <>
            <input
              type="search"
              class="search-small"
              placeholder={t("price.filter")}
              aria-label={t("price.filter")}
              value={query}
              onInput={(e) => {
                setQuery((e.target as HTMLInputElement).value);
                setLimit(PAGE);
              }}
            />
            <button
              class="btn btn-primary btn-small"
              type="button"
              disabled={!dirty || busy || invalid}
              onClick={save}
              data-testid="save-prices"
            >
              {busy ? t("wizard.saving") : t("price.save")}
            </button>
          </>
        }
      >
        <p class="small muted">{t("price.unit")}</p>
        <ErrorNote error={saveError} />
        {saved && <OkNote>{t("price.saved")}</OkNote>}
        <div class="table-wrap">
          <table class="table price-edit">
            <thead>
              <tr>
                <th>{t("col.model")}</th>
                <th class="num">{t("price.prompt")}</th>
                <th class="num">{t("price.completion")}</th>
                <th class="num">{t("price.cacheRead")}</th>
                <th class="num">{t("price.cacheWrite")}</th>
                <th class="hide-sm">{t("price.source")}</th>
                <th>
                  <span class="sr-only">{t("price.remove")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.slice(0, limit).map((r) => {
                const tiers = (r.price.contextTiers?.length ?? 0) + (r.price.serviceTiers?.length ?? 0);
                return (
                  <tr key={r.model} data-model={r.model}>
                    <td class="mono ellipsis" title={r.model}>
                      {r.model}
                      {tiers > 0 && (
                        <span class="tag" title={t("price.tiersHint")}>
                          {t("price.tiers", { n: tiers })}
                        </span>
                      )}
                    </td>
                    {RATES.map((k) => (
                      <td class="num">
                        <input
                          class="rate"
                          inputMode="decimal"
                          value={r.text[k]}
                          aria-label={`${r.model} ${t(("price." + (k === "cacheCreation" ? "cacheWrite" : k)) as "price.prompt")}`}
                          aria-invalid={r.text[k].trim() !== "" && !(Number(r.text[k]) >= 0)}
                          placeholder="–"
                          onInput={(e) =>
                            edit(r.model, { text: { ...r.text, [k]: (e.target as HTMLInputElement).value } })
                          }
                          name={k}
                        />
                      </td>
                    ))}
                    <td class="hide-sm small muted ellipsis">{r.price.source || "–"}</td>
                    <td>
                      <button
                        class="icon-btn tiny"
                        type="button"
                        aria-label={t("price.removeModel", { model: r.model })}
                        title={t("price.remove")}
                        onClick={() => {
                          setRows(rows.filter((x) => x.model !== r.model));
                          setDirty(true);
                        }}
                      >
                        <Icon name="trash" size={14} />
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {shown.length > limit && (
          <div class="more">
            <button class="btn" type="button" onClick={() => setLimit(limit + 200)}>
              {t("price.showMore", { n: shown.length - limit })}
            </button>
          </div>
        )}
        {!shown.length && <Empty>{t("price.none")}</Empty>}
      </Card>
    </div>
  );
}
