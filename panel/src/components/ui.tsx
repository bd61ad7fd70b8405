// Small building blocks shared by the pages: cards, KPI tiles, notes, empty states, a bar cell.
import type { ComponentChildren } from "preact";
import { ApiError } from "../api/client";
import { t } from "../i18n/i18n";
import { errorText } from "../lib/errors";

export function Card(props: {
  title?: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
  testid?: string;
}) {
  return (
    <section class={"card " + (props.class ?? "")} data-testid={props.testid}>
      {(props.title || props.actions) && (
        <header class="card-head">
          {props.title && <h2>{props.title}</h2>}
          {props.actions && <div class="card-actions">{props.actions}</div>}
        </header>
      )}
      {props.children}
    </section>
  );
}

export function Kpi(props: {
  label: string;
  value: ComponentChildren;
  sub?: ComponentChildren;
  tone?: "good" | "warn" | "bad" | "";
  testid?: string;
}) {
  return (
    <div class={"kpi " + (props.tone ? "tone-" + props.tone : "")}>
      <div class="kpi-label">{props.label}</div>
      <div
        class={"kpi-value" + (typeof props.value === "string" && props.value.length > 9 ? " long" : "")}
        data-testid={props.testid}
      >
        {props.value}
      </div>
      {props.sub !== undefined && <div class="kpi-sub">{props.sub}</div>}
    </div>
  );
}

export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div class="note note-error" role="alert">
      <span>{errorText(error)}</span>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}

/** A success message (saved, exported), announced to screen readers. */
export function OkNote({ children }: { children: ComponentChildren }) {
  return (
    <div class="note note-ok" role="status">
      {children}
    </div>
  );
}

/** One label and value of a `<dl class="facts">`. */
export function Fact(props: {
  label: ComponentChildren;
  children: ComponentChildren;
  class?: string;
  title?: string;
  testid?: string;
}) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd class={props.class} title={props.title} data-testid={props.testid}>
        {props.children}
      </dd>
    </div>
  );
}

export function Empty({ children }: { children?: ComponentChildren }) {
  return <div class="empty">{children ?? t("common.noData")}</div>;
}

export function Loading() {
  return (
    <div class="empty" aria-busy="true">
      {t("common.loading")}
    </div>
  );
}

/** A row of toggle buttons with one on: time ranges, granularity. */
export function Segmented<V extends string>(props: {
  label: string;
  options: readonly V[];
  value: V;
  onChange: (v: V) => void;
  text: (v: V) => string;
}) {
  return (
    <div class="seg" role="group" aria-label={props.label}>
      {props.options.map((o) => (
        <button
          type="button"
          class={o === props.value ? "on" : ""}
          aria-pressed={o === props.value}
          onClick={() => props.onChange(o)}
        >
          {props.text(o)}
        </button>
      ))}
    </div>
  );
}

/** A thin horizontal bar in a table cell (share of a total). */
export function ShareBar({ share, tone }: { share: number; tone?: string }) {
  const pct = Math.max(0, Math.min(1, share || 0)) * 100;
  return (
    <span class="sharebar" aria-hidden="true">
      <span class={tone ? "tone-bg-" + tone : ""} style={{ width: pct + "%" }} />
    </span>
  );
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;
