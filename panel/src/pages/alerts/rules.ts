// Rule kinds: their fields, the defaults of a new rule (docs/alerts.md's example) and a one-line summary.
import type { AlertRule, AlertRuleKind } from "../../api/types";
import { t, type MessageKey } from "../../i18n/i18n";
import { fmtBytes, fmtCost, fmtInt, fmtMs, fmtNum, fmtPct } from "../../lib/format";
import { freeId, type FieldSpec } from "./spec";

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
const minRequests: FieldSpec = { key: "minRequests", type: "int", label: "alerts.f.minRequests", min: 1 };
const scope: FieldSpec = { key: "scope", type: "text", label: "alerts.f.scope", hint: "alerts.f.scopeHint" };
const minutes = (label: MessageKey): FieldSpec => ({
  key: "minutes",
  type: "int",
  label,
  unit: MIN,
  min: 1,
  max: 10080,
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
    scope,
  ],
  consecutive_failures: [
    { key: "count", type: "int", label: "alerts.f.count", min: 1, max: 100 },
    { key: "statuses", type: "ints", label: "alerts.f.statuses", hint: "alerts.f.statusesHint" },
  ],
  latency_p95: [
    { key: "thresholdMs", type: "int", label: "alerts.f.thresholdMs", unit: "alerts.unit.ms", min: 1 },
    windowField,
    minRequests,
  ],
  no_events: [minutes("alerts.f.noEvents")],
  collector_disconnected: [minutes("alerts.f.disconnected")],
  storage_size: [
    {
      key: "file",
      type: "select",
      label: "alerts.f.file",
      options: ["database"],
      optionText: "alerts.file.",
    },
    { key: "thresholdMb", type: "int", label: "alerts.f.thresholdMb", unit: "alerts.unit.mb", min: 1 },
  ],
  budget: [
    { key: "usd", type: "num", label: "alerts.f.usd", unit: "alerts.unit.usd", min: 0, above: true },
    {
      key: "period",
      type: "select",
      label: "alerts.f.period",
      options: ["day", "week", "month"],
      optionText: "alerts.period.",
    },
    {
      key: "warnPercent",
      type: "int",
      label: "alerts.f.warn",
      unit: "alerts.unit.pct",
      min: 1,
      max: 99,
    },
    scope,
  ],
};

/** Every kind has it; absent means the server's default. */
export const COOLDOWN: FieldSpec = {
  key: "cooldownMinutes",
  type: "int",
  label: "alerts.f.cooldown",
  unit: MIN,
  min: 0,
  max: 10080,
  optional: true,
  hint: "alerts.f.cooldownHint",
};

const DEFAULTS: Record<AlertRuleKind, Partial<AlertRule>> = {
  failure_rate: { scope: "all", threshold: 0.2, windowMinutes: 15, minRequests: 10 },
  consecutive_failures: { statuses: [401, 403], count: 3 },
  latency_p95: { thresholdMs: 30000, windowMinutes: 15, minRequests: 10 },
  no_events: { minutes: 30 },
  collector_disconnected: { minutes: 5 },
  storage_size: { file: "database", thresholdMb: 2048 },
  budget: { period: "day", scope: "all", usd: 50, warnPercent: 80 },
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

/** The rules of docs/alerts.md's example: a starting set for an empty configuration. */
export function suggestedRules(): AlertRule[] {
  const r = (id: string, kind: AlertRuleKind, fields: Partial<AlertRule>): AlertRule => ({
    id,
    kind,
    ...fields,
  });
  return [
    r("failures", "failure_rate", { ...DEFAULTS.failure_rate, cooldownMinutes: 60 }),
    r("relogin", "consecutive_failures", { statuses: [401, 403], count: 3 }),
    r("quota", "consecutive_failures", { statuses: [429], count: 5 }),
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

/** The rule's condition in words, e.g. "failure rate ≥ 20% over 15 min (at least 10 requests)". */
export function ruleSummary(r: AlertRule): string {
  let s: string;
  switch (r.kind) {
    case "failure_rate":
      s = t("alerts.sum.failure_rate", {
        pct: fmtPct(r.threshold),
        win: fmtInt(r.windowMinutes),
        min: fmtInt(r.minRequests),
      });
      break;
    case "consecutive_failures":
      s = t("alerts.sum.consecutive_failures", {
        count: fmtInt(r.count),
        statuses: (r.statuses ?? []).join(", "),
      });
      break;
    case "latency_p95":
      s = t("alerts.sum.latency_p95", {
        ms: fmtMs(r.thresholdMs),
        win: fmtInt(r.windowMinutes),
        min: fmtInt(r.minRequests),
      });
      break;
    case "no_events":
      s = t("alerts.sum.no_events", { n: fmtInt(r.minutes) });
      break;
    case "collector_disconnected":
      s = t("alerts.sum.collector_disconnected", { n: fmtInt(r.minutes) });
      break;
    case "storage_size":
      s = t("alerts.sum.storage_size", {
        file: known(r.file, "alerts.file.", ["database"]),
        size: fmtBytes((r.thresholdMb ?? NaN) * 1024 * 1024),
      });
      break;
    case "budget":
      s = t("alerts.sum.budget", {
        usd: fmtCost(r.usd),
        per: known(r.period, "alerts.per.", ["day", "week", "month"]),
        warn: fmtNum(r.warnPercent, 1) + "%",
      });
      break;
    default:
      return Object.entries(r)
        .filter(([k]) => !["id", "kind", "enabled", "cooldownMinutes"].includes(k))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(", ");
  }
  return r.scope && r.scope !== "all" ? `${s} · ${r.scope}` : s;
}
