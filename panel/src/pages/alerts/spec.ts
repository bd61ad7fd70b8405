// The fields of a rule or sink kind, described once: the forms draw them and check them from this.
import type { MessageKey } from "../../i18n/i18n";

export type FieldType = "int" | "num" | "pct" | "text" | "secret" | "select" | "ints" | "list" | "headers";

export interface FieldSpec {
  key: string;
  type: FieldType;
  label: MessageKey;
  unit?: MessageKey;
  hint?: MessageKey;
  /** The smallest number allowed (as typed: a "pct" field in percent); exclusive with `above`. */
  min?: number;
  above?: boolean;
  max?: number;
  options?: readonly string[];
  /** The i18n prefix of the options' names, e.g. "alerts.period.". */
  optionText?: string;
  /** May be left out (empty). */
  optional?: boolean;
  /** Takes the form's whole width (lists, headers). */
  wide?: boolean;
}

export type Obj = Record<string, unknown>;

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export function fieldOk(spec: FieldSpec, v: unknown): boolean {
  switch (spec.type) {
    case "int":
    case "num":
    case "pct": {
      if (v === undefined || v === null) return !!spec.optional;
      if (!isNum(v) || (spec.type === "int" && !Number.isInteger(v))) return false;
      const n = spec.type === "pct" ? v * 100 : v;
      if (spec.min !== undefined && (spec.above ? n <= spec.min : n < spec.min)) return false;
      return spec.max === undefined || n <= spec.max;
    }
    case "ints":
      return Array.isArray(v) && (!!spec.optional || v.length > 0) && v.every((x) => Number.isInteger(x));
    case "list":
      return (
        Array.isArray(v) &&
        (!!spec.optional || v.length > 0) &&
        v.every((x) => typeof x === "string" && x.trim() !== "")
      );
    case "headers":
      return v === undefined || (typeof v === "object" && v !== null);
    default:
      return !!spec.optional || (typeof v === "string" && v.trim() !== "");
  }
}

/** The keys of the fields whose value is not acceptable. */
export const badFields = (o: Obj, specs: FieldSpec[]) =>
  specs.filter((s) => !fieldOk(s, o[s.key])).map((s) => s.key);

/** What is wrong with an id (empty, not plain, used by another), or null. */
export function idProblem(id: string, taken: readonly string[]): MessageKey | null {
  if (!id.trim()) return "alerts.idEmpty";
  if (!/^[A-Za-z0-9._-]+$/.test(id)) return "alerts.idChars";
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
