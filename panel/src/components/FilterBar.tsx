// The dimension filters of the analytics route: search, model, API key, account, provider, outcome.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { AnalyticsAnswer, AnalyticsFilters } from "../api/types";
import { t } from "../i18n/i18n";
import { shortHash } from "../lib/format";
import { Field } from "./fields";

export interface FilterState {
  search: string;
  model: string;
  apiKey: string;
  account: string;
  provider: string;
  outcome: "" | "success" | "failed";
  minLatency: string;
  cache: "" | "hit" | "miss" | "read" | "creation";
}

export const emptyFilters: FilterState = {
  search: "",
  model: "",
  apiKey: "",
  account: "",
  provider: "",
  outcome: "",
  minLatency: "",
  cache: "",
};

/** The filter state as the route's `filters` and `search_query`. */
export function toQuery(f: FilterState): { filters: AnalyticsFilters; search_query?: string } {
  const filters: AnalyticsFilters = {};
  if (f.model) filters.models = [f.model];
  if (f.apiKey) filters.api_key_hashes = [f.apiKey];
  if (f.account) filters.accounts = [f.account];
  if (f.provider) filters.providers = [f.provider];
  if (f.outcome === "failed") filters.failed_only = true;
  if (f.outcome === "success") filters.include_failed = false;
  const ms = Math.round(Number(f.minLatency) * 1000);
  if (f.minLatency.trim() && ms > 0) filters.min_latency_ms = ms;
  if (f.cache) filters.cache_status = f.cache;
  return f.search.trim() ? { filters, search_query: f.search.trim() } : { filters };
}

/** How many of the folded filters are set. */
const active = (f: FilterState) =>
  [f.model, f.apiKey, f.account, f.provider, f.outcome].filter(Boolean).length;

type Selectors = NonNullable<AnalyticsAnswer["filter_selectors"]>;

export function FilterBar(props: {
  value: FilterState;
  onChange: (f: FilterState) => void;
  selectors?: Selectors;
}) {
  const [search, setSearch] = useState(props.value.search);
  // On a phone the selects fold away behind one button; wider screens always show them.
  const [open, setOpen] = useState(false);
  const f = props.value;
  const s = props.selectors;
  const pick = (k: keyof FilterState) => (e: Event) =>
    props.onChange({ ...f, [k]: (e.target as HTMLSelectElement).value });
  // One folding select of the filter `k`.
  const select = (k: keyof FilterState, label: string, name: string, options: ComponentChildren) => (
    <Field label={label} class="field folds">
      <select value={f[k]} onChange={pick(k)} name={name}>
        {options}
      </select>
    </Field>
  );
  const opts = (
    list: Selectors["models"] | undefined,
    current: string,
    label: (v: { value: string; alias: string }) => string,
  ) => {
    const items = list ?? [];
    const has = items.some((i) => i.value === current);
    return (
      <>
        <option value="">{t("filter.all")}</option>
        {!has && current && <option value={current}>{current}</option>}
        {items.map((i) => (
          <option value={i.value}>
            {label(i)} ({i.calls})
          </option>
        ))}
      </>
    );
  };
  return (
    <form
      class={"filters" + (open ? " open" : "")}
      onSubmit={(e) => {
        e.preventDefault();
        props.onChange({ ...f, search });
      }}
      role="search"
    >
      <label class="field grow">
        <span>{t("filter.search")}</span>
        <input
          type="search"
          value={search}
          placeholder={t("filter.searchHint")}
          onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          onBlur={() => search !== f.search && props.onChange({ ...f, search })}
          name="search"
        />
      </label>
      <button
        type="button"
        class="btn btn-small filters-toggle"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {t("filter.more")}
        {active(f) ? ` (${active(f)})` : ""}
      </button>
      {select(
        "model",
        t("col.model"),
        "model",
        opts(s?.models, f.model, (i) => i.value),
      )}
      {select(
        "apiKey",
        t("col.apiKey"),
        "api-key",
        opts(s?.api_keys, f.apiKey, (i) => i.alias || shortHash(i.value)),
      )}
      {select(
        "account",
        t("col.account"),
        "account",
        opts(s?.accounts, f.account, (i) => i.alias || i.value),
      )}
      {select(
        "provider",
        t("col.provider"),
        "provider",
        opts(s?.providers, f.provider, (i) => i.value),
      )}
      {select(
        "outcome",
        t("col.status"),
        "outcome",
        <>
          <option value="">{t("filter.all")}</option>
          <option value="success">{t("filter.success")}</option>
          <option value="failed">{t("filter.failed")}</option>
        </>,
      )}
      <Field label={t("filter.minLatency")} class="field folds">
        <input
          type="number"
          min={0}
          step="0.1"
          inputMode="decimal"
          value={f.minLatency}
          placeholder="0"
          name="min-latency"
          onChange={(e) => props.onChange({ ...f, minLatency: (e.target as HTMLInputElement).value })}
        />
      </Field>
      {select(
        "cache",
        t("filter.cache"),
        "cache",
        <>
          <option value="">{t("filter.all")}</option>
          <option value="hit">{t("filter.cacheHit")}</option>
          <option value="miss">{t("filter.cacheMiss")}</option>
          <option value="read">{t("filter.cacheRead")}</option>
          <option value="creation">{t("filter.cacheWrite")}</option>
        </>,
      )}
    </form>
  );
}
