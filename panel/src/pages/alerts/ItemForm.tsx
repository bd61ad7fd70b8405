// The drawer that adds or edits one rule or sink: its kind (new ones only), its id, that kind's fields with
// their defaults (rarely changed ones under "Advanced"), and whether it is on. "Apply" changes the page's
// draft; the page's Save stores it.
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { t } from "../../i18n/i18n";
import { Drawer } from "../../components/Drawer";
import { Check, Field, InputField } from "../../components/fields";
import { SpecField } from "./SpecField";
import {
  badFields,
  idProblem,
  visibleFields,
  withEnabled,
  withField,
  type FieldSpec,
  type FormCtx,
  type Obj,
} from "./spec";

export interface Item extends Obj {
  id: string;
  kind: string;
  enabled?: boolean;
}

export function ItemForm<T extends Item>(p: {
  title: string;
  testid: string;
  /** null: a new one, made by `make`. */
  item: T | null;
  kinds: readonly T["kind"][];
  kindName: (k: string) => string;
  fields: (kind: T["kind"]) => FieldSpec[];
  make: (kind: T["kind"], taken: readonly string[]) => T;
  /** After `key` changed; `touched`: the keys typed in this form so far. */
  adjust?: (item: T, key: string, touched: ReadonlySet<string>) => T;
  /** Members kept when a new item's kind changes (a rule's name, channels, cool-down). */
  keep?: readonly string[];
  ctx?: FormCtx;
  /** The ids of the others (an id must be unique). */
  taken: readonly string[];
  /** A saved sink keeps its id: its stored secrets belong to it. */
  idLocked?: boolean;
  readOnly: boolean;
  enabledLabel: string;
  note?: (item: T) => ComponentChildren;
  onApply: (item: T) => void;
  onClose: () => void;
}) {
  const [item, setItem] = useState<T>(() => p.item ?? p.make(p.kinds[0], p.taken));
  const [autoId, setAutoId] = useState(!p.item);
  const [tried, setTried] = useState(false);
  // Controls that hold more than their value shows (header rows) and are not acceptable now.
  const [problems, setProblems] = useState<Record<string, boolean>>({});
  const touched = useRef(new Set<string>());
  const specs = visibleFields(item, p.fields(item.kind));
  const bad = [...badFields(item, specs, p.ctx), ...Object.keys(problems).filter((k) => problems[k])];
  const idErr = p.idLocked ? null : idProblem(item.id, p.taken);
  const main = specs.filter((s) => !s.advanced);
  const advanced = specs.filter((s) => s.advanced);
  // Open when something there differs from its default, or needs fixing.
  const [advOpen, setAdvOpen] = useState(() =>
    advanced.some((s) => item[s.key] !== undefined && item[s.key] !== "" && item[s.key] !== s.placeholder),
  );
  const showAdvanced = advOpen || (tried && advanced.some((s) => bad.includes(s.key)));

  const set = (spec: FieldSpec, v: unknown) => {
    touched.current.add(spec.key);
    const next = withField(item, spec.key, spec.omitEmpty && v === "" ? undefined : v);
    setItem(p.adjust ? p.adjust(next, spec.key, touched.current) : next);
  };
  const setKind = (kind: T["kind"]) => {
    const fresh = p.make(kind, p.taken);
    const kept = Object.fromEntries((p.keep ?? []).filter((k) => k in item).map((k) => [k, item[k]]));
    touched.current.clear();
    setProblems({});
    setItem({
      ...fresh,
      ...kept,
      id: autoId ? fresh.id : item.id,
      ...(item.enabled === false ? { enabled: false } : {}),
    });
  };

  function apply(e: Event) {
    e.preventDefault();
    setTried(true);
    if (!p.readOnly && !bad.length && !idErr) p.onApply({ ...item, id: item.id.trim() });
  }

  const field = (s: FieldSpec) => (
    <SpecField
      key={`${item.kind}.${s.key}.${s.label}`}
      spec={s}
      value={item[s.key]}
      disabled={p.readOnly}
      invalid={tried && bad.includes(s.key)}
      ctx={p.ctx}
      onValue={(v) => set(s, v)}
      onProblem={(b) => setProblems((x) => ({ ...x, [s.key]: b }))}
    />
  );

  return (
    <Drawer title={p.title} onClose={p.onClose} testid={p.testid}>
      <form class="form" onSubmit={apply} noValidate>
        <div class="form-grid">
          {p.item ? (
            <Field label={t("alerts.f.kind")}>
              <input type="text" value={p.kindName(item.kind)} disabled />
            </Field>
          ) : (
            <Field label={t("alerts.f.kind")}>
              <select
                name="kind"
                value={item.kind}
                onChange={(e) => setKind((e.target as HTMLSelectElement).value)}
              >
                {p.kinds.map((k) => (
                  <option value={k}>{p.kindName(k)}</option>
                ))}
              </select>
            </Field>
          )}
          <InputField
            label={t("alerts.f.id")}
            name="id"
            autoComplete="off"
            spellcheck={false}
            value={item.id}
            disabled={p.readOnly || p.idLocked}
            aria-invalid={tried && !!idErr}
            onValue={(v) => {
              setAutoId(false);
              setItem(withField(item, "id", v));
            }}
          >
            {tried && idErr && <small class="field-error">{t(idErr)}</small>}
            {p.idLocked && !p.readOnly && <small class="hint">{t("alerts.idLocked")}</small>}
          </InputField>
          {main.map(field)}
        </div>
        {advanced.length > 0 && (
          <details
            class="advanced"
            open={showAdvanced}
            onToggle={(e) => setAdvOpen((e.target as HTMLDetailsElement).open)}
          >
            <summary data-testid="advanced">{t("alerts.advanced")}</summary>
            <div class="form-grid">{advanced.map(field)}</div>
          </details>
        )}
        <Check
          label={p.enabledLabel}
          name="enabled"
          checked={item.enabled !== false}
          disabled={p.readOnly}
          onChecked={(on) => setItem(withEnabled(item, on))}
        />
        {p.note?.(item)}
        {tried && (bad.length > 0 || idErr) && (
          <div class="note note-error" role="alert">
            {t("alerts.invalid")}
          </div>
        )}
        {!p.readOnly && <p class="hint">{t("alerts.applyHint")}</p>}
        <div class="form-actions">
          <button class="btn" type="button" onClick={p.onClose}>
            {p.readOnly ? t("common.close") : t("common.cancel")}
          </button>
          {!p.readOnly && (
            <button class="btn btn-primary" type="submit" data-testid="apply">
              {t("alerts.apply")}
            </button>
          )}
        </div>
      </form>
    </Drawer>
  );
}
