// One field of a rule or sink form, drawn from its FieldSpec: numbers, texts, choices, lists, headers.
import { useState } from "preact/hooks";
import { t, type MessageKey } from "../../i18n/i18n";
import { Field } from "../../components/fields";
import { Icon } from "../../components/Icon";
import { isMasked, type FieldSpec } from "./spec";

interface Props {
  spec: FieldSpec;
  value: unknown;
  onValue: (v: unknown) => void;
  disabled?: boolean;
  invalid?: boolean;
}

const labelOf = (s: FieldSpec) =>
  s.unit ? t("alerts.withUnit", { label: t(s.label), unit: t(s.unit) }) : t(s.label);
const round = (n: number) => Math.round(n * 1e6) / 1e6;

export function SpecField(p: Props) {
  const s = p.spec;
  if (s.type === "headers")
    return (
      <div class="field wide" role="group" aria-label={t(s.label)}>
        <span>{labelOf(s)}</span>
        <Headers value={p.value} onValue={p.onValue} disabled={p.disabled} />
      </div>
    );
  return (
    <Field label={labelOf(s)} class={s.wide ? "field wide" : "field"}>
      <Control {...p} />
      {s.type === "secret" && isMasked(p.value) && <small class="hint">{t("alerts.secretKept")}</small>}
      {s.hint && <small class="hint">{t(s.hint)}</small>}
    </Field>
  );
}

function Control({ spec: s, value, onValue, disabled, invalid }: Props) {
  const common = { name: s.key, disabled, "aria-invalid": invalid };
  switch (s.type) {
    case "int":
    case "num":
    case "pct": {
      const v = typeof value === "number" ? (s.type === "pct" ? round(value * 100) : value) : "";
      return (
        <input
          {...common}
          type="number"
          inputMode={s.type === "int" ? "numeric" : "decimal"}
          step={s.type === "int" ? 1 : "any"}
          min={s.min}
          max={s.max}
          value={v}
          onInput={(e) => {
            const text = (e.target as HTMLInputElement).value.trim();
            const n = Number(text);
            onValue(text === "" ? undefined : s.type === "pct" ? n / 100 : n);
          }}
        />
      );
    }
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
      return <ListInput spec={s} value={value} onValue={onValue} disabled={disabled} invalid={invalid} />;
    default:
      return (
        <input
          {...common}
          type="text"
          autoComplete="off"
          spellcheck={false}
          value={typeof value === "string" ? value : ""}
          onInput={(e) => onValue((e.target as HTMLInputElement).value)}
        />
      );
  }
}

/** Comma-separated values; the text typed is kept, so "401, " stays while typing. */
function ListInput({ spec: s, value, onValue, disabled, invalid }: Props) {
  const [text, setText] = useState(() => (Array.isArray(value) ? value.join(", ") : ""));
  return (
    <input
      name={s.key}
      type="text"
      autoComplete="off"
      inputMode={s.type === "ints" ? "numeric" : undefined}
      disabled={disabled}
      aria-invalid={invalid}
      value={text}
      onInput={(e) => {
        const v = (e.target as HTMLInputElement).value;
        setText(v);
        const parts = v
          .split(/[,\s;]+/)
          .map((x) => x.trim())
          .filter(Boolean);
        onValue(s.type === "ints" ? parts.map((x) => (/^\d+$/.test(x) ? Number(x) : NaN)) : parts);
      }}
    />
  );
}

/** Name/value rows; values are secrets (answered masked, sent back unchanged to keep them). */
function Headers(p: { value: unknown; onValue: (v: unknown) => void; disabled?: boolean }) {
  const [rows, setRows] = useState<[string, string][]>(() =>
    Object.entries((p.value ?? {}) as Record<string, string>),
  );
  const update = (next: [string, string][]) => {
    setRows(next);
    p.onValue(Object.fromEntries(next.filter(([n]) => n.trim()).map(([n, v]) => [n.trim(), v])));
  };
  return (
    <div class="headers">
      {rows.map(([name, value], i) => (
        <div class="header-row">
          <input
            type="text"
            autoComplete="off"
            spellcheck={false}
            name="header-name"
            placeholder={t("alerts.headerName")}
            aria-label={t("alerts.headerName")}
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
            value={value}
            disabled={p.disabled}
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
        </div>
      ))}
      {!p.disabled && (
        <button class="btn btn-small" type="button" onClick={() => update([...rows, ["", ""]])}>
          <Icon name="plus" size={14} /> {t("alerts.addHeader")}
        </button>
      )}
    </div>
  );
}
