// Columns that several tables show the same way (DataTable); `also` adds classes such as "hide-sm".
import type { ComponentChildren } from "preact";
import { t } from "../i18n/i18n";
import { fmtCost, fmtInt, fmtMs, fmtPct } from "../lib/format";
import { ShareBar } from "./ui";
import type { Column } from "./DataTable";

/** A right-aligned figure. */
export const numCol = <R,>(head: string, cell: (r: R) => ComponentChildren, also?: string): Column<R> => ({
  head,
  class: also ? `num ${also}` : "num",
  cell,
});

export const modelCol = <R extends { model: string }>(): Column<R> => ({
  head: t("col.model"),
  cellClass: "mono ellipsis",
  title: (r) => r.model,
  cell: (r) => r.model,
});

export const callsCol = <R extends { calls: number }>(also?: string) =>
  numCol<R>(t("col.calls"), (r) => fmtInt(r.calls), also);

export const successCol = <R extends { success_rate: number }>(also?: string) =>
  numCol<R>(t("col.success"), (r) => fmtPct(r.success_rate), also);

export const latencyCol = <R extends { average_latency_ms: number | null }>(also?: string) =>
  numCol<R>(t("col.latency"), (r) => fmtMs(r.average_latency_ms), also);

export const costCol = <R extends { cost: number }>(also?: string) =>
  numCol<R>(t("col.cost"), (r) => fmtCost(r.cost), also);

/** A bar of the row's share (0–1) in the field `key`. */
export const shareCol = <K extends string, R extends Record<K, number>>(
  key: K,
  also?: string,
): Column<R> => ({
  head: t("col.share"),
  class: also ? `bar-col ${also}` : "bar-col",
  cell: (r) => <ShareBar share={r[key]} />,
});
