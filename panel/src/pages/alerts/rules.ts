// Rule kinds: their fields, the defaults of a new rule (docs/alerts.md's example) and a one-line summary.
import type { AlertRule, AlertRuleKind } from "../../api/types";
import { t, type MessageKey } from "../../i18n/i18n";
import { fmtBytes, fmtCost, fmtInt, fmtMs, fmtNum, fmtPct } from "../../lib/format";
import { freeId, type FieldSpec, type Obj } from "./spec";

export const RULE_KINDS: readonly AlertRuleKind[] = [
  "failure_rate",
  "consecutive_failures",
  "latency_p95",
  "no_events",
  "collector_disconnected",
  "storage_size",
  "budget",
];

const MIN: MessageKey = "alerts.unit.min";
const windowField: FieldSpec = {
  key: "windowMinutes",
  type: "int",
  label: "alerts.f.window",
  unit: MIN,
  min: 1,
  max: 1440,
};
const minRequests: FieldSpec = {
  key: "minRequests",
  type: "int",
  label: "alerts.f.minRequests",
  min: 1,
  max: 1_000_000,
};
const credential: FieldSpec = {
  key: "credential",
  type: "text",
  label: "alerts.f.credential",
  hint: "alerts.f.credentialHint",
  optional: true,
  maxLen: 256,
};
const minutes = (label: MessageKey): FieldSpec => ({
  key: "minutes",
  type: "num",
  label,
  unit: MIN,
  min: 0.05,
  max: 10080,
});
const budgetMatch = (scope: string, label: MessageKey, hint: MessageKey): FieldSpec => ({
  key: "match",
  type: "text",
  label,
  hint,
  optional: true,
  maxLen: 256,
  wide: true,
  when: (o) => o.scope === scope,
});

export const RULE_FIELDS: Record<AlertRuleKind, FieldSpec[]> = {
  failure_rate: [
    {
      key: "threshold",
      type: "pct",
      label: "alerts.f.threshold",
      unit: "alerts.unit.pct",
      min: 0,
      above: true,
      max: 100,
    },
    windowField,
    minRequests,
    {
      key: "scope",
      type: "select",
      label: "alerts.f.scope",
      options: ["all", "credential"],
      optionText: "alerts.fscope.",
    },
    // Shown for "each credential", and whenever one is named (it then narrows "all traffic" too).
    { ...credential, wide: true, when: (o) => o.scope === "credential" || !!o.credential },
  ],
  consecutive_failures: [
    { key: "statuses", type: "statuses", label: "alerts.f.statuses" },
    { key: "count", type: "int", label: "alerts.f.count", min: 1, max: 100 },
    { ...credential, wide: true },
  ],
  latency_p95: [
    {
      key: "thresholdMs",
      type: "seconds",
      label: "alerts.f.thresholdMs",
      unit: "alerts.unit.s",
      min: 0.001,
      max: 86_400,
    },
    windowField,
    minRequests,
    {
      key: "model",
      type: "text",
      label: "alerts.f.model",
      hint: "alerts.f.modelHint",
      optional: true,
      maxLen: 256,
      wide: true,
    },
  ],
  no_events: [minutes("alerts.f.noEvents")],
  collector_disconnected: [minutes("alerts.f.disconnected")],
  storage_size: [
    {
      key: "file",
      type: "select",
      label: "alerts.f.file",
      options: ["database", "wal"],
      optionText: "alerts.fileOpt.",
    },
    {
      key: "thresholdMb",
      type: "num",
      label: "alerts.f.thresholdMb",
      unit: "alerts.unit.mb",
      min: 0,
      above: true,
      max: 16 * 1024 * 1024,
    },
  ],
  budget: [
    {
      key: "period",
      type: "select",
      label: "alerts.f.period",
      options: ["day", "week", "month"],
      optionText: "alerts.period.",
    },
    {
      key: "scope",
      type: "select",
      label: "alerts.f.scope",
      options: ["all", "api_key", "model"],
      optionText: "alerts.bscope.",
    },
    budgetMatch("api_key", "alerts.f.matchKey", "alerts.f.matchKeyHint"),
    budgetMatch("model", "alerts.f.matchModel", "alerts.f.matchModelHint"),
    {
      key: "usd",
      type: "num",
      label: "alerts.f.usd",
      unit: "alerts.unit.usd",
      min: 0,
      above: true,
      max: 1e9,
    },
    {
      key: "warnPercent",
      type: "int",
      label: "alerts.f.warn",
      unit: "alerts.unit.pct",
      min: 1,
      max: 99,
    },
  ],
};

/** Every kind has them: a name (first), and cool-down and channels (last). */
export const RULE_NAME: FieldSpec = {
  key: "name",
  type: "text",
  label: "alerts.f.name",
  optional: true,
  omitEmpty: true,
  maxLen: 200,
  wide: true,
};
export const COOLDOWN: FieldSpec = {
  key: "cooldownMinutes",
  type: "num",
  label: "alerts.f.cooldown",
  unit: MIN,
  min: 0,
  max: 10080,
  optional: true,
  hint: "alerts.f.cooldownHint",
  wide: true,
};
export const RULE_SINKS: FieldSpec = { key: "sinks", type: "sinks", label: "alerts.f.sinks", wide: true };

export const ruleFields = (kind: AlertRuleKind): FieldSpec[] => [
  RULE_NAME,
  ...(RULE_FIELDS[kind] ?? []),
  COOLDOWN,
  RULE_SINKS,
];

// As the server answers them, so what the page sends is what it gets back.
const DEFAULTS: Record<AlertRuleKind, Partial<AlertRule>> = {
  failure_rate: { scope: "all", credential: "", threshold: 0.2, windowMinutes: 15, minRequests: 10 },
  consecutive_failures: { statuses: [401, 403], count: 3, credential: "" },
  latency_p95: { model: "", thresholdMs: 30000, windowMinutes: 15, minRequests: 10 },
  no_events: { minutes: 30 },
  collector_disconnected: { minutes: 5 },
  storage_size: { file: "database", thresholdMb: 2048 },
  budget: { period: "day", scope: "all", match: "", usd: 50, warnPercent: 80 },
};

const ID_BASE: Record<AlertRuleKind, string> = {
  failure_rate: "failures",
  consecutive_failures: "failing-in-a-row",
  latency_p95: "slow",
  no_events: "stalled",
  collector_disconnected: "disconnected",
  storage_size: "disk",
  budget: "budget",
};

export function newRule(kind: AlertRuleKind, taken: readonly string[]): AlertRule {
  return { id: freeId(ID_BASE[kind], taken), kind, ...DEFAULTS[kind], cooldownMinutes: 60 };
}

/** After a field changed: back to "all traffic", a key, model or credential named no longer applies. */
export function adjustRule(r: AlertRule, key: string): AlertRule {
  if (key !== "scope" || r.scope !== "all") return r;
  if (r.kind === "budget") return { ...r, match: "" };
  if (r.kind === "failure_rate") return { ...r, credential: "" };
  return r;
}

/** A rule's members every kind has, kept when a new rule's kind changes. */
export const COMMON_RULE_KEYS = ["name", "enabled", "cooldownMinutes", "sinks"] as const;

/** The rules of docs/alerts.md's example: a starting set for an empty configuration. */
export function suggestedRules(): AlertRule[] {
  const r = (id: string, kind: AlertRuleKind, fields: Partial<AlertRule>): AlertRule => ({
    id,
    kind,
    ...fields,
  });
  return [
    r("failures", "failure_rate", { ...DEFAULTS.failure_rate, cooldownMinutes: 60 }),
    r("relogin", "consecutive_failures", { ...DEFAULTS.consecutive_failures }),
    r("quota", "consecutive_failures", { ...DEFAULTS.consecutive_failures, statuses: [429], count: 5 }),
    r("slow", "latency_p95", DEFAULTS.latency_p95),
    r("stalled", "no_events", DEFAULTS.no_events),
    r("disconnected", "collector_disconnected", DEFAULTS.collector_disconnected),
    r("disk", "storage_size", DEFAULTS.storage_size),
    r("daily", "budget", DEFAULTS.budget),
  ];
}

export const ruleKindName = (kind: string) =>
  (RULE_KINDS as readonly string[]).includes(kind) ? t(("alerts.kind." + kind) as MessageKey) : kind;

const known = (s: string | undefined, prefix: string, options: readonly string[]) =>
  s && options.includes(s) ? t((prefix + s) as MessageKey) : (s ?? "–");

/** A long auth index shortened ("3f9c2a1b…"); the full text is in the cell's tooltip. */
const short = (s: string, full: boolean) => (!full && s.length > 12 ? s.slice(0, 8) + "…" : s);

/**
 * The rule's condition in words, e.g. "failure rate ≥ 25% of credential 3f9c2a1b… over 10 min (at least 5
 * requests)"; `full` keeps long names whole (for the tooltip).
 */
export function ruleSummary(r: AlertRule, full = false): string {
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  switch (r.kind) {
    case "failure_rate": {
      const c = text(r.credential);
      const key: MessageKey = c
        ? "alerts.sum.failure_rate.one"
        : r.scope === "credential"
          ? "alerts.sum.failure_rate.each"
          : "alerts.sum.failure_rate";
      return t(key, {
        pct: fmtPct(r.threshold),
        win: fmtInt(r.windowMinutes),
        min: fmtInt(r.minRequests),
        c: short(c, full),
      });
    }
    case "consecutive_failures": {
      const c = text(r.credential);
      return t(c ? "alerts.sum.consecutive_failures.one" : "alerts.sum.consecutive_failures", {
        count: fmtInt(r.count),
        statuses: (r.statuses ?? []).join(", "),
        c: short(c, full),
      });
    }
    case "latency_p95": {
      const m = text(r.model);
      return t(m ? "alerts.sum.latency_p95.model" : "alerts.sum.latency_p95", {
        ms: fmtMs(r.thresholdMs),
        win: fmtInt(r.windowMinutes),
        min: fmtInt(r.minRequests),
        m,
      });
    }
    case "no_events":
      return t("alerts.sum.no_events", { n: fmtNum(r.minutes, 2) });
    case "collector_disconnected":
      return t("alerts.sum.collector_disconnected", { n: fmtNum(r.minutes, 2) });
    case "storage_size":
      return t("alerts.sum.storage_size", {
        file: known(r.file, "alerts.file.", ["database", "wal"]),
        size: fmtBytes((r.thresholdMb ?? NaN) * 1024 * 1024),
      });
    case "budget": {
      const m = text(r.match);
      const scope = r.scope === "api_key" || r.scope === "model" ? r.scope : "all";
      const key = (
        scope === "all" ? "alerts.sum.budget" : `alerts.sum.budget.${scope}${m ? ".one" : ""}`
      ) as MessageKey;
      return t(key, {
        usd: fmtCost(r.usd),
        per: known(r.period, "alerts.per.", ["day", "week", "month"]),
        warn: fmtNum(r.warnPercent, 1) + "%",
        m,
      });
    }
    default:
      return Object.entries(r as Obj)
        .filter(([k]) => !["id", "kind", "name", "enabled", "cooldownMinutes", "sinks"].includes(k))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(", ");
  }
}
