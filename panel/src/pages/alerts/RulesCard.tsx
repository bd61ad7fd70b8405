// The rules: a table (on/off, id and name, kind, condition in words with the channels notified, cool-down)
// with add, edit and remove.
import { useState } from "preact/hooks";
import type { AlertRule, AlertSink } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtNum } from "../../lib/format";
import { Card } from "../../components/ui";
import { DataTable } from "../../components/DataTable";
import { RowActions, OnToggle } from "./parts";
import { ItemForm } from "./ItemForm";
import { withEnabled } from "./spec";
import {
  COMMON_RULE_KEYS,
  RULE_KINDS,
  adjustRule,
  newRule,
  ruleFields,
  ruleKindName,
  ruleSummary,
  suggestedRules,
} from "./rules";

export function RulesCard(p: {
  rules: AlertRule[];
  /** The channels of the draft: a rule may name some of them. */
  sinks: AlertSink[];
  readOnly: boolean;
  onChange: (rules: AlertRule[]) => void;
}) {
  // The index edited, "new", or nothing.
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const index = (r: AlertRule) => p.rules.indexOf(r);
  const replace = (i: number, r: AlertRule) => p.onChange(p.rules.map((x, j) => (j === i ? r : x)));
  const current = typeof editing === "number" ? p.rules[editing] : null;
  const condition = (r: AlertRule) => (
    <>
      {ruleSummary(r)}
      {r.sinks?.length ? (
        <span class="rule-sinks" data-testid="rule-sinks">
          {t("alerts.notifies")}{" "}
          {r.sinks.map((id, i) => (
            <>
              {i > 0 && ", "}
              <span class={p.sinks.some((s) => s.id === id) ? "mono" : "mono missing"}>{id}</span>
            </>
          ))}
        </span>
      ) : null}
    </>
  );

  return (
    <Card
      title={t("alerts.rules", { n: p.rules.length })}
      testid="alert-rules"
      actions={
        !p.readOnly && (
          <button
            class="btn btn-small"
            type="button"
            onClick={() => setEditing("new")}
            data-testid="add-rule"
          >
            {t("alerts.addRule")}
          </button>
        )
      }
    >
      <DataTable
        rows={p.rules}
        testid="rules-table"
        empty={
          <>
            <p>{t("alerts.noRules")}</p>
            {!p.readOnly && (
              <button
                class="btn btn-small"
                type="button"
                onClick={() => p.onChange(suggestedRules())}
                data-testid="suggested-rules"
              >
                {t("alerts.suggested")}
              </button>
            )}
          </>
        }
        rowClass={(r) => (r.enabled === false ? "off" : undefined)}
        columns={[
          {
            head: t("alerts.col.on"),
            cell: (r) => (
              <OnToggle
                on={r.enabled !== false}
                label={t("alerts.ruleOn", { id: r.id })}
                disabled={p.readOnly}
                onChange={(on) => replace(index(r), withEnabled(r, on))}
              />
            ),
          },
          {
            head: t("alerts.col.id"),
            cellClass: "mono ellipsis",
            title: (r) => [r.id, r.name, ruleSummary(r, true)].filter(Boolean).join("\n"),
            cell: (r) => (
              <>
                {r.id}
                {r.name && <span class="item-name">{r.name}</span>}
                {/* Phones: the condition under the id, in place of its own column. */}
                <span class="only-sm rule-sm">{condition(r)}</span>
              </>
            ),
          },
          {
            head: t("alerts.col.kind"),
            class: "hide-sm",
            cellClass: "nowrap",
            cell: (r) => ruleKindName(r.kind),
          },
          {
            head: t("alerts.col.condition"),
            class: "hide-sm",
            cellClass: "condition",
            title: (r) => ruleSummary(r, true),
            cell: condition,
          },
          {
            head: t("alerts.col.cooldown"),
            class: "num hide-sm",
            cell: (r) =>
              r.cooldownMinutes === undefined
                ? t("alerts.default")
                : t("alerts.minutes", { n: fmtNum(r.cooldownMinutes, 2) }),
          },
          {
            head: <span class="sr-only">{t("alerts.col.actions")}</span>,
            class: "actions",
            cell: (r) => (
              <RowActions
                id={r.id}
                readOnly={p.readOnly}
                onEdit={() => setEditing(index(r))}
                onRemove={() => p.onChange(p.rules.filter((x) => x !== r))}
              />
            ),
          },
        ]}
      />
      <p class="small muted soft-note">{t("alerts.softBudget")}</p>
      {editing !== null && (
        <ItemForm<AlertRule>
          title={current ? t("alerts.editRule", { id: current.id }) : t("alerts.newRule")}
          testid="rule-form"
          item={current}
          kinds={RULE_KINDS}
          kindName={ruleKindName}
          fields={ruleFields}
          make={newRule}
          adjust={adjustRule}
          keep={COMMON_RULE_KEYS}
          ctx={{ sinks: p.sinks }}
          taken={p.rules.filter((x) => x !== current).map((x) => x.id)}
          readOnly={p.readOnly}
          enabledLabel={t("alerts.ruleEnabled")}
          note={(r) => r.kind === "budget" && <div class="note note-warn">{t("alerts.softBudget")}</div>}
          onApply={(r) => {
            if (current) replace(editing as number, r);
            else p.onChange([...p.rules, r]);
            setEditing(null);
          }}
          onClose={() => setEditing(null)}
        />
      )}
    </Card>
  );
}
