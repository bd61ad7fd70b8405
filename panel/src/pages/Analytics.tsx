// Usage analytics: one POST /monitoring/analytics per view, with the range, granularity, zone, comparison
// and filters of the toolbar; six tabs read different sections of the same route.
import { useEffect, useRef, useState } from "preact/hooks";
import { post } from "../api/client";
import type { AnalyticsAnswer } from "../api/types";
import { t, type MessageKey } from "../i18n/i18n";
import { timeZone } from "../lib/timezone";
import { isoDate } from "../lib/zoned";
import { ErrorNote, Loading } from "../components/ui";
import { FilterBar, emptyFilters, toQuery, type FilterState } from "../components/FilterBar";
import { TABS, DAY, rangeOf, includeFor, type Tab, type Preset, type Gran } from "./analytics/query";
import { Toolbar } from "./analytics/Toolbar";
import { Overview } from "./analytics/OverviewTab";
import { Trends } from "./analytics/TrendsTab";
import { ModelsTable, KeysView, CredentialsTable, type Series } from "./analytics/TablesTab";
import { Heatmap } from "./analytics/HeatmapTab";

export function Analytics() {
  const [tab, setTab] = useState<Tab>("overview");
  const [preset, setPreset] = useState<Preset>("7d");
  const [gran, setGran] = useState<Gran>("auto");
  const [compare, setCompare] = useState(true);
  const [custom, setCustom] = useState(() => ({
    from: isoDate(timeZone.value, Date.now() - 6 * DAY),
    to: isoDate(timeZone.value, Date.now()),
  }));
  const [filters, setFilters] = useState<FilterState>(emptyFilters);
  const [data, setData] = useState<(AnalyticsAnswer & { api_key_timeline?: Series[] }) | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const gen = useRef(0);
  const tz = timeZone.value;

  const load = async () => {
    const my = ++gen.current;
    setLoading(true);
    const [from, to] = rangeOf(preset, tz, custom);
    try {
      const a = await post<AnalyticsAnswer>("/v0/management/monitoring/analytics", {
        from_ms: from,
        to_ms: to,
        time_zone: tz,
        ...toQuery(filters),
        include: includeFor(tab, compare, gran),
      });
      if (my !== gen.current) return;
      setData(a);
      setError(null);
    } catch (e) {
      if (my === gen.current) setError(e);
    }
    if (my === gen.current) setLoading(false);
  };
  useEffect(() => void load(), [tab, preset, gran, compare, filters, tz, custom]);

  return (
    <div class="page" data-testid="page-analytics">
      <Toolbar
        preset={preset}
        setPreset={setPreset}
        gran={gran}
        setGran={setGran}
        compare={compare}
        setCompare={setCompare}
        custom={custom}
        setCustom={setCustom}
      />
      <FilterBar value={filters} onChange={setFilters} selectors={data?.filter_selectors} />
      <div class="tabs" role="tablist" aria-label={t("an.views")}>
        {TABS.map((x) => (
          <button
            role="tab"
            type="button"
            id={"tab-" + x}
            aria-selected={x === tab}
            aria-controls="tabpanel"
            tabIndex={x === tab ? 0 : -1}
            class={x === tab ? "on" : ""}
            onClick={() => setTab(x)}
            onKeyDown={(e) => {
              const i = TABS.indexOf(tab);
              const next =
                e.key === "ArrowRight"
                  ? TABS[(i + 1) % TABS.length]
                  : e.key === "ArrowLeft"
                    ? TABS[(i + TABS.length - 1) % TABS.length]
                    : null;
              if (next) {
                setTab(next);
                (document.getElementById("tab-" + next) as HTMLElement | null)?.focus();
              }
            }}
            data-testid={"tab-" + x}
          >
            {t(("an.tab." + x) as MessageKey)}
          </button>
        ))}
      </div>
      <ErrorNote error={error} onRetry={load} />
      <div
        id="tabpanel"
        role="tabpanel"
        aria-labelledby={"tab-" + tab}
        aria-busy={loading}
        class={loading ? "stale" : ""}
      >
        {!data ? <Loading /> : <TabView tab={tab} data={data} onAlias={load} />}
      </div>
    </div>
  );
}

function TabView({
  tab,
  data,
  onAlias,
}: {
  tab: Tab;
  data: AnalyticsAnswer & { api_key_timeline?: Series[] };
  onAlias: () => void;
}) {
  switch (tab) {
    case "overview":
      return <Overview data={data} />;
    case "trends":
      return <Trends data={data} />;
    case "models":
      return <ModelsTable data={data} />;
    case "keys":
      return <KeysView data={data} onAlias={onAlias} />;
    case "credentials":
      return <CredentialsTable data={data} />;
    case "heatmap":
      return <Heatmap data={data} />;
  }
}
