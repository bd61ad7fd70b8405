// Sync from the public price lists or the bundled catalog; fuzzy candidates wait for a confirmation.
import { useState } from "preact/hooks";
import { post, put } from "../../api/client";
import type { Price, PricesAnswer, SyncAnswer } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtInt, fmtNum } from "../../lib/format";
import { Card, ErrorNote } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { type Row } from "../prices/rows";

const SOURCES = ["", "bundled", "models.dev", "litellm", "openrouter"];

export function SyncCard(props: {
  catalog?: PricesAnswer["catalog"];
  unpriced: string[];
  current: Row[];
  onDone: (p: PricesAnswer) => void;
}) {
  const [source, setSource] = useState("");
  const [onlyUnpriced, setOnlyUnpriced] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<SyncAnswer | null>(null);
  const [choice, setChoice] = useState<Record<string, number>>({});

  async function sync() {
    setBusy(true);
    setError(null);
    setResult(null);
    const body: Record<string, unknown> = {};
    if (source) body.source = source;
    if (onlyUnpriced && props.unpriced.length) body.models = props.unpriced;
    try {
      const r = await post<SyncAnswer>("/v0/management/model-prices/sync", body);
      setResult(r);
      setChoice({});
      props.onDone({ prices: r.prices });
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  }

  async function applyCandidates() {
    if (!result) return;
    const prices: Record<string, Price> = {};
    for (const r of props.current) prices[r.model] = r.price;
    for (const c of result.candidates) {
      const i = choice[c.model];
      if (i !== undefined && i >= 0)
        prices[c.model] = { ...c.candidates[i].price, source: c.candidates[i].price.source };
    }
    setBusy(true);
    try {
      props.onDone(await put<PricesAnswer>("/v0/management/model-prices", { prices }));
      setResult({ ...result, candidates: result.candidates.filter((c) => choice[c.model] === undefined) });
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  }

  return (
    <Card title={t("price.sync")} testid="sync-card">
      {props.catalog && (
        <p class="small muted" data-testid="catalog">
          {t("price.catalog", {
            models: fmtInt(props.catalog.models),
            source: props.catalog.source,
            date: props.catalog.date,
            license: props.catalog.license,
          })}
        </p>
      )}
      <div class="form">
        <div class="field-row">
          <label class="field">
            <span>{t("price.syncSource")}</span>
            <select
              value={source}
              onChange={(e) => setSource((e.target as HTMLSelectElement).value)}
              name="sync-source"
            >
              {SOURCES.map((s) => (
                <option value={s}>
                  {s === "" ? t("price.allSources") : s === "bundled" ? t("price.bundled") : s}
                </option>
              ))}
            </select>
          </label>
          <label class="check small">
            <input
              type="checkbox"
              checked={onlyUnpriced}
              onChange={(e) => setOnlyUnpriced((e.target as HTMLInputElement).checked)}
            />
            <span>{t("price.onlyUnpriced", { n: props.unpriced.length })}</span>
          </label>
        </div>
        <div class="form-actions">
          <button class="btn" type="button" onClick={sync} disabled={busy} data-testid="sync-prices">
            <Icon name="refresh" size={14} /> {busy ? t("price.syncing") : t("price.syncNow")}
          </button>
        </div>
      </div>
      <ErrorNote error={error} />
      {result && (
        <div class="sync-result" role="status">
          <p class="small">
            {t("price.syncResult", {
              imported: result.imported,
              matched: result.matched,
              skipped: result.skipped,
            })}
          </p>
          {result.sourceResults
            ?.filter((s) => s.error)
            .map((s) => (
              <p class="small muted">
                {s.source}: {s.error}
              </p>
            ))}
          {result.candidates.length > 0 && (
            <>
              <h3>{t("price.candidates")}</h3>
              <p class="small muted">{t("price.candidatesHint")}</p>
              {result.candidates.map((c) => (
                <fieldset class="candidate">
                  <legend class="mono">{c.model}</legend>
                  <label class="check small">
                    <input
                      type="radio"
                      name={"cand-" + c.model}
                      checked={choice[c.model] === undefined}
                      onChange={() => {
                        const n = { ...choice };
                        delete n[c.model];
                        setChoice(n);
                      }}
                    />
                    <span>{t("price.skip")}</span>
                  </label>
                  {c.candidates.map((x, i) => (
                    <label class="check small">
                      <input
                        type="radio"
                        name={"cand-" + c.model}
                        checked={choice[c.model] === i}
                        onChange={() => setChoice({ ...choice, [c.model]: i })}
                      />
                      <span>
                        <span class="mono">{x.sourceModelId}</span> · {fmtNum(x.price.prompt, 4)} /{" "}
                        {fmtNum(x.price.completion, 4)} ·{" "}
                        <span class="muted">
                          {t("price.score", { score: fmtNum(x.score, 2) })} ({x.reason})
                        </span>
                      </span>
                    </label>
                  ))}
                </fieldset>
              ))}
              <div class="form-actions">
                <button
                  class="btn btn-primary btn-small"
                  type="button"
                  disabled={busy || !Object.keys(choice).length}
                  onClick={applyCandidates}
                >
                  {t("price.applyCandidates")}
                </button>
              </div>
            </>
          )}
          {result.unmatched?.length > 0 && (
            <p class="small muted">{t("price.unmatched", { models: result.unmatched.join(", ") })}</p>
          )}
        </div>
      )}
    </Card>
  );
}
