// One field of a rule or sink form, drawn from its FieldSpec: numbers, texts, choices, lists, statuses,
// channels and headers.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { t, type MessageKey } from "../../i18n/i18n";
import { Field } from "../../components/fields";
import { Icon } from "../../components/Icon";
import { HEADER_NAME_RE, isMasked, shown, type FieldSpec, type FormCtx } from "./spec";
import { sinkKindName } from "./sinks";

interface Props {
  spec: FieldSpec;
  value: unknown;
  onValue: (v: unknown) => void;
  disabled?: boolean;
  invalid?: boolean;
  ctx?: FormCtx;
  /** A control that holds more than its value says (header rows) reports whether it is acceptable. */
  onProblem?: (bad: boolean) => void;
}

const labelOf = (s: FieldSpec) =>
  s.unit ? t("alerts.withUnit", { label: t(s.label), unit: t(s.unit) }) : t(s.label);
const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** A group of controls under one caption (a <label> holds one control only). */
function Group(p: { spec: FieldSpec; children: ComponentChildren }) {
  const id = "f-" + p.spec.key;
  return (
    <div class={"field" + (p.spec.wide ? " wide" : "")} role="group" aria-labelledby={id}>
      <span id={id}>{labelOf(p.spec)}</span>
      {p.children}
    </div>
  );
}

export function SpecField(p: Props) {
  const s = p.spec;
  switch (s.type) {
    case "headers":
      return (
        <Group spec={s}>
          <Headers {...p} />
        </Group>
      );
    case "statuses":
      return (
        <Group spec={s}>
          <Statuses {...p} />
        </Group>
      );
    case "sinks":
      return (
        <Group spec={s}>
          <Sinks {...p} />
        </Group>
      );
  }
  return (
    <Field label={labelOf(s)} class={s.wide ? "field wide" : "field"}>
      <Control {...p} />
      {s.type === "secret" && isMasked(p.value) && <small class="hint">{t("alerts.secretKept")}</small>}
      {s.hint && <small class="hint">{t(s.hint)}</small>}
    </Field>
  );
}

/** Selects a masked secret on focus, so typing replaces it instead of editing the mask. */
const selectMasked = (e: FocusEvent) => {
  const el = e.target as HTMLInputElement;
  if (isMasked(el.value)) el.select();
};

function Control(p: Props) {
  const { spec: s, value, onValue, disabled, invalid } = p;
  const common = { name: s.key, disabled, "aria-invalid": invalid };
  switch (s.type) {
    case "int":
    case "num":
    case "pct":
    case "seconds":
      return <NumberInput {...p} />;
    case "select": {
      const v = typeof value === "string" ? value : "";
      const options = s.options ?? [];
      return (
        <select {...common} value={v} onChange={(e) => onValue((e.target as HTMLSelectElement).value)}>
          {!options.includes(v) && <option value={v}>{v}</option>}
          {options.map((o) => (
            <option value={o}>{s.optionText ? t((s.optionText + o) as MessageKey) : o}</option>
          ))}
        </select>
      );
    }
    case "ints":
    case "list":
      return <ListInput {...p} />;
    default:
      return (
        <input
          {...common}
          type="text"
          autoComplete="off"
          spellcheck={false}
          placeholder={s.placeholder}
          value={typeof value === "string" ? value : ""}
          onFocus={s.type === "secret" ? selectMasked : undefined}
          onInput={(e) => onValue((e.target as HTMLInputElement).value)}
        />
      );
  }
}

/** The stored number from what is typed: a share from percent, ms from seconds. */
function parseNumber(s: FieldSpec, text: string): number | undefined {
  const v = text.trim().replace(",", ".");
  if (v === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) return NaN;
  return s.type === "pct" ? n / 100 : s.type === "seconds" ? Math.round(n * 1000) : n;
}

const sameNumber = (a: unknown, b: unknown) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * A number typed as text (so "0." or "1,5" stay as typed while editing); a value changed elsewhere (the SMTP
 * port following the security) replaces the text.
 */
function NumberInput({ spec: s, value, onValue, disabled, invalid }: Props) {
  const [typed, setTyped] = useState<string | null>(null);
  // What was typed while it still stands for the value; otherwise the value itself.
  const text =
    typed !== null && sameNumber(parseNumber(s, typed), value)
      ? typed
      : typeof value === "number"
        ? String(round(shown(s, value)))
        : "";
  return (
    <input
      name={s.key}
      type="text"
      inputMode={s.type === "int" ? "numeric" : "decimal"}
      autoComplete="off"
      disabled={disabled}
      aria-invalid={invalid}
      placeholder={s.placeholder}
      value={text}
      onInput={(e) => {
        const v = (e.target as HTMLInputElement).value;
        setTyped(v);
        onValue(parseNumber(s, v));
      }}
    />
  );
}

const splitList = (v: string) =>
  v
    .split(/[,\s;]+/)
    .map((x) => x.trim())
    .filter(Boolean);
const toInts = (parts: string[]) => parts.map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));

/** Comma-separated values; the text typed is kept, so "401, " stays while typing. */
function ListInput({ spec: s, value, onValue, disabled, invalid }: Props) {
  const [text, setText] = useState(() => (Array.isArray(value) ? value.join(", ") : ""));
  const ints = s.type === "ints" || s.type === "statuses";
  return (
    <input
      name={s.key}
      type="text"
      autoComplete="off"
      spellcheck={false}
      inputMode={ints ? "numeric" : undefined}
      disabled={disabled}
      aria-invalid={invalid}
      aria-label={s.type === "statuses" ? t("alerts.f.statusesCustom") : undefined}
      placeholder={s.type === "statuses" ? "500, 502, 503" : undefined}
      value={text}
      onInput={(e) => {
        const v = (e.target as HTMLInputElement).value;
        setText(v);
        onValue(ints ? toInts(splitList(v)) : splitList(v));
      }}
    />
  );
}

const PRESETS: Record<string, number[]> = { relogin: [401, 403], quota: [429] };
function presetOf(v: unknown): string {
  const list = Array.isArray(v) ? [...v].sort((a, b) => a - b).join(",") : "";
  return Object.keys(PRESETS).find((k) => PRESETS[k].join(",") === list) ?? "custom";
}

/** Which failures count: "needs re-login" (401, 403), "quota exhausted" (429), or statuses typed. */
function Statuses(p: Props) {
  const [mode, setMode] = useState(() => presetOf(p.value));
  return (
    <>
      <select
        name="statuses-preset"
        aria-label={t("alerts.f.statuses")}
        value={mode}
        disabled={p.disabled}
        onChange={(e) => {
          const m = (e.target as HTMLSelectElement).value;
          setMode(m);
          if (PRESETS[m]) p.onValue([...PRESETS[m]]);
        }}
      >
        <option value="relogin">{t("alerts.statuses.relogin")}</option>
        <option value="quota">{t("alerts.statuses.quota")}</option>
        <option value="custom">{t("alerts.statuses.custom")}</option>
      </select>
      {mode === "custom" && <ListInput {...p} />}
      {mode === "custom" && <small class="hint">{t("alerts.f.statusesHint")}</small>}
    </>
  );
}

/** The channels a rule notifies: none ticked means every enabled channel. */
function Sinks(p: Props) {
  const chosen = Array.isArray(p.value) ? (p.value as string[]) : [];
  const sinks = p.ctx?.sinks ?? [];
  const missing = chosen.filter((id) => !sinks.some((s) => s.id === id));
  const toggle = (id: string, on: boolean) => {
    const next = on ? [...chosen, id] : chosen.filter((x) => x !== id);
    // Empty is sent as no member: the server answers an empty list that way too.
    p.onValue(next.length ? next : undefined);
  };
  return (
    <>
      {sinks.length + missing.length > 0 && (
        <div class="sink-checks">
          {sinks.map((s) => (
            <label class="check small">
              <input
                type="checkbox"
                name="sinks"
                value={s.id}
                checked={chosen.includes(s.id)}
                disabled={p.disabled}
                onChange={(e) => toggle(s.id, (e.target as HTMLInputElement).checked)}
              />
              <span>
                <span class="mono">{s.id}</span>{" "}
                <span class="muted">
                  {sinkKindName(s.kind)}
                  {s.enabled === false ? " · " + t("alerts.off") : ""}
                </span>
              </span>
            </label>
          ))}
          {missing.map((id) => (
            <label class="check small">
              <input
                type="checkbox"
                name="sinks"
                value={id}
                checked
                disabled={p.disabled}
                aria-invalid="true"
                onChange={() => toggle(id, false)}
              />
              <span>
                <span class="mono">{id}</span> <span class="field-error">{t("alerts.f.sinkMissing")}</span>
              </span>
            </label>
          ))}
        </div>
      )}
      <small class="hint">
        {sinks.length
          ? chosen.length
            ? t("alerts.f.sinksSome")
            : t("alerts.f.sinksAll")
          : t("alerts.f.sinksNone")}
      </small>
    </>
  );
}

type Row = [string, string];

/**
 * What is wrong with one header row, or null. A masked value is only kept for the header that had it:
 * renamed, it would be stored as the mask itself.
 */
function rowProblem(rows: Row[], i: number, original: Record<string, string>): MessageKey | null {
  const [name, value] = rows[i];
  const n = name.trim();
  if (!n) return value ? "alerts.headerNameEmpty" : null;
  if (!HEADER_NAME_RE.test(n)) return "alerts.headerNameChars";
  if (rows.findIndex(([x]) => x.trim().toLowerCase() === n.toLowerCase()) !== i) return "alerts.headerTwice";
  if (isMasked(value) && original[n] !== value) return "alerts.headerRetype";
  return null;
}

/**
 * Name/value rows; values are secrets: answered masked, shown as they are and sent back unchanged unless
 * retyped (the server then keeps the stored value).
 */
function Headers(p: Props) {
  const [original] = useState(() => ({ ...((p.value ?? {}) as Record<string, string>) }));
  const [rows, setRows] = useState<Row[]>(() => Object.entries(original));
  const update = (next: Row[]) => {
    setRows(next);
    p.onValue(Object.fromEntries(next.filter(([n]) => n.trim()).map(([n, v]) => [n.trim(), v])));
    p.onProblem?.(next.some((_, i) => rowProblem(next, i, original)) || next.length > 20);
  };
  const masked = rows.some(([, v]) => isMasked(v));
  return (
    <div class="headers">
      {rows.map(([name, value], i) => {
        const problem = rowProblem(rows, i, original);
        return (
          <div class="header-row">
            <input
              type="text"
              autoComplete="off"
              spellcheck={false}
              name="header-name"
              placeholder={t("alerts.headerName")}
              aria-label={t("alerts.headerName")}
              aria-invalid={!!problem && problem !== "alerts.headerRetype"}
              value={name}
              disabled={p.disabled}
              onInput={(e) =>
                update(rows.map((r, j) => (j === i ? [(e.target as HTMLInputElement).value, r[1]] : r)))
              }
            />
            <input
              type="text"
              autoComplete="off"
              spellcheck={false}
              name="header-value"
              placeholder={t("alerts.headerValue")}
              aria-label={t("alerts.headerValue")}
              aria-invalid={problem === "alerts.headerRetype"}
              value={value}
              disabled={p.disabled}
              onFocus={selectMasked}
              onInput={(e) =>
                update(rows.map((r, j) => (j === i ? [r[0], (e.target as HTMLInputElement).value] : r)))
              }
            />
            {!p.disabled && (
              <button
                class="icon-btn tiny"
                type="button"
                aria-label={t("alerts.removeHeader")}
                title={t("alerts.removeHeader")}
                onClick={() => update(rows.filter((_, j) => j !== i))}
              >
                <Icon name="trash" size={14} />
              </button>
            )}
            {problem && <small class="field-error header-error">{t(problem)}</small>}
          </div>
        );
      })}
      {!p.disabled && rows.length < 20 && (
        <button class="btn btn-small" type="button" onClick={() => update([...rows, ["", ""]])}>
          <Icon name="plus" size={14} /> {t("alerts.addHeader")}
        </button>
      )}
      <small class="hint">{masked ? t("alerts.headersKept") : t("alerts.headersHint")}</small>
    </div>
  );
}
