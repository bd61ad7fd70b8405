// The fields of a rule or sink kind, described once: the forms draw them and check them from this.
import type { MessageKey } from "../../i18n/i18n";

export type FieldType =
  | "int"
  | "num"
  | "pct"
  /** A duration stored in ms, typed in seconds. */
  | "seconds"
  | "text"
  | "secret"
  | "select"
  | "ints"
  | "list"
  | "headers"
  /** HTTP statuses: a preset (401/403, 429) or a custom list. */
  | "statuses"
  /** Ids of the configured sinks, as checkboxes. */
  | "sinks";

export type Obj = Record<string, unknown>;

/** What a form knows beyond the item itself: the channels a rule may name. */
export interface FormCtx {
  sinks?: readonly { id: string; kind: string; enabled?: boolean }[];
}

export interface FieldSpec {
  key: string;
  type: FieldType;
  label: MessageKey;
  unit?: MessageKey;
  hint?: MessageKey;
  /** Shown in an empty box (a default the server applies), not translated. */
  placeholder?: string;
  /** The smallest number allowed, as typed (a "pct" field in percent, "seconds" in s); exclusive with `above`. */
  min?: number;
  above?: boolean;
  max?: number;
  /** The longest text the server takes. */
  maxLen?: number;
  options?: readonly string[];
  /** The i18n prefix of the options' names, e.g. "alerts.period.". */
  optionText?: string;
  /** May be left out (empty). */
  optional?: boolean;
  /** Empty text is sent as no member at all (the server then applies its default or omits it). */
  omitEmpty?: boolean;
  /** An http:// or https:// URL. */
  url?: boolean;
  /** Takes the form's whole width (lists, headers). */
  wide?: boolean;
  /** Drawn under the form's "Advanced" toggle. */
  advanced?: boolean;
  /** Drawn (and checked) only when this holds for the item. */
  when?: (o: Obj) => boolean;
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const URL_RE = /^https?:\/\/[^\s/?#]+\S*$/i;
/** A header name the server takes: letters, digits, "-" and "_". */
export const HEADER_NAME_RE = /^[A-Za-z0-9_-]+$/;

/** The number as the form shows it (percent for a share, seconds for ms). */
export const shown = (spec: FieldSpec, v: number) =>
  spec.type === "pct" ? v * 100 : spec.type === "seconds" ? v / 1000 : v;

export function fieldOk(spec: FieldSpec, v: unknown, ctx?: FormCtx): boolean {
  switch (spec.type) {
    case "int":
    case "num":
    case "pct":
    case "seconds": {
      if (v === undefined || v === null) return !!spec.optional;
      if (!isNum(v) || (spec.type === "int" && !Number.isInteger(v))) return false;
      const n = shown(spec, v);
      if (spec.min !== undefined && (spec.above ? n <= spec.min : n < spec.min - 1e-9)) return false;
      return spec.max === undefined || n <= spec.max;
    }
    case "ints":
      return Array.isArray(v) && (!!spec.optional || v.length > 0) && v.every((x) => Number.isInteger(x));
    case "statuses":
      return (
        Array.isArray(v) &&
        v.length > 0 &&
        v.length <= 20 &&
        v.every((x) => Number.isInteger(x) && x >= 100 && x <= 599)
      );
    case "list":
      return (
        Array.isArray(v) &&
        (!!spec.optional || v.length > 0) &&
        (spec.max === undefined || v.length <= spec.max) &&
        v.every((x) => typeof x === "string" && x.trim() !== "")
      );
    case "sinks": {
      if (v === undefined) return true;
      if (!Array.isArray(v)) return false;
      const ids = ctx?.sinks?.map((s) => s.id);
      return v.every((x) => typeof x === "string" && (!ids || ids.includes(x)));
    }
    case "headers": {
      if (v === undefined) return true;
      if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
      const entries = Object.entries(v);
      return (
        entries.length <= 20 &&
        entries.every(([n, x]) => HEADER_NAME_RE.test(n) && typeof x === "string" && !/[\r\n]/.test(x))
      );
    }
    default: {
      if (v === undefined || v === null || v === "") return !!spec.optional;
      if (typeof v !== "string") return false;
      if (spec.maxLen !== undefined && new TextEncoder().encode(v).length > spec.maxLen) return false;
      if (spec.url && !URL_RE.test(v.trim())) return false;
      return !!spec.optional || v.trim() !== "";
    }
  }
}

/** The fields drawn for this item (those whose `when` holds). */
export const visibleFields = (o: Obj, specs: FieldSpec[]) => specs.filter((s) => !s.when || s.when(o));

/** The keys of the visible fields whose value is not acceptable. */
export const badFields = (o: Obj, specs: FieldSpec[], ctx?: FormCtx) =>
  visibleFields(o, specs)
    .filter((s) => !fieldOk(s, o[s.key], ctx))
    .map((s) => s.key);

/** What is wrong with an id (empty, not plain, used by another), or null. */
export function idProblem(id: string, taken: readonly string[]): MessageKey | null {
  if (!id.trim()) return "alerts.idEmpty";
  if (!/^[A-Za-z0-9._-]+$/.test(id) || id.length > 64) return "alerts.idChars";
  return taken.includes(id) ? "alerts.idTaken" : null;
}

/** `base`, or `base-2`, `base-3` … whichever is not taken yet. */
export function freeId(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

/** A copy of `o` with `key` set, or removed when `v` is undefined. */
export function withField<T extends Obj>(o: T, key: string, v: unknown): T {
  const next: Obj = { ...o };
  if (v === undefined) delete next[key];
  else next[key] = v;
  return next as T;
}

/** A copy with `enabled` set: off is written out; on drops a flag the item did not have. */
export const withEnabled = <T extends Obj>(o: T, on: boolean): T =>
  withField(o, "enabled", on ? ("enabled" in o ? true : undefined) : false);

/** A secret as the server answers it: masked (`abc****wxyz`). */
export const isMasked = (v: unknown) => typeof v === "string" && /\*{3,}/.test(v);
