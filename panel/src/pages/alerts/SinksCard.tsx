// The sinks: a table (on/off, id, kind, target with secrets as the server masked them, deliveries so far),
// add, edit and remove, and "Send test" per stored sink with its result inline.
import { useState } from "preact/hooks";
import { post } from "../../api/client";
import type { AlertSink, AlertSinkStat, AlertTestAnswer } from "../../api/types";
import { t } from "../../i18n/i18n";
import { errorText } from "../../lib/errors";
import { fmtDateTime, fmtInt } from "../../lib/format";
import { Card } from "../../components/ui";
import { DataTable } from "../../components/DataTable";
import { OnToggle, RowActions } from "./parts";
import { ItemForm } from "./ItemForm";
import { withEnabled } from "./spec";
import { SINK_KINDS, adjustSink, newSink, sinkFields, sinkKindName, sinkTarget } from "./sinks";

type Result = { busy: true } | { busy: false; ok: boolean; error: string; attempts: number };

export function SinksCard(p: {
  sinks: AlertSink[];
  /** The sinks as stored: only those can be tested. */
  saved: AlertSink[];
  stats: AlertSinkStat[];
  readOnly: boolean;
  onChange: (sinks: AlertSink[]) => void;
  onTested: () => void;
}) {
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [results, setResults] = useState<Record<string, Result>>({});
  const index = (s: AlertSink) => p.sinks.indexOf(s);
  const current = typeof editing === "number" ? p.sinks[editing] : null;
  const stored = (s: AlertSink) => p.saved.find((x) => x.id === s.id);
  const unchanged = (s: AlertSink) => JSON.stringify(stored(s)) === JSON.stringify(s);

  async function test(id: string) {
    setResults((r) => ({ ...r, [id]: { busy: true } }));
    let res: Result;
    try {
      const a = await post<AlertTestAnswer>("/usage-service/alerts/test", { sink: id });
      const mine = a.results?.find((x) => x.sink === id);
      res = mine
        ? { busy: false, ok: mine.ok, error: mine.error, attempts: mine.attempts }
        : { busy: false, ok: false, error: t("alerts.noResult"), attempts: 0 };
    } catch (e) {
      res = { busy: false, ok: false, error: errorText(e), attempts: 0 };
    }
    setResults((r) => ({ ...r, [id]: res }));
    p.onTested();
  }

  return (
    <Card
      title={t("alerts.sinks", { n: p.sinks.length })}
      testid="alert-sinks"
      actions={
        !p.readOnly && (
          <button
            class="btn btn-small"
            type="button"
            onClick={() => setEditing("new")}
            data-testid="add-sink"
          >
            {t("alerts.addSink")}
          </button>
        )
      }
    >
      <DataTable
        rows={p.sinks}
        testid="sinks-table"
        empty={t("alerts.noSinks")}
        rowClass={(s) => (s.enabled === false ? "off" : undefined)}
        columns={[
          {
            head: t("alerts.col.on"),
            cell: (s) => (
              <OnToggle
                on={s.enabled !== false}
                label={t("alerts.sinkOn", { id: s.id })}
                disabled={p.readOnly}
                onChange={(on) => p.onChange(p.sinks.map((x) => (x === s ? withEnabled(s, on) : x)))}
              />
            ),
          },
          {
            head: t("alerts.col.id"),
            cellClass: "mono ellipsis",
            title: (s) => [s.id, s.name, sinkTarget(s)].filter(Boolean).join("\n"),
            cell: (s) => (
              <>
                {s.id}
                {s.name && <span class="item-name">{s.name}</span>}
                <span class="only-sm target-sm">{sinkTarget(s)}</span>
              </>
            ),
          },
          {
            head: t("alerts.col.kind"),
            class: "hide-sm",
            cellClass: "nowrap",
            cell: (s) => sinkKindName(s.kind),
          },
          {
            head: t("alerts.col.target"),
            class: "hide-sm",
            cellClass: "mono ellipsis target",
            title: sinkTarget,
            cell: sinkTarget,
          },
          {
            head: t("alerts.col.deliveries"),
            class: "num hide-md",
            title: (s) => statTitle(p.stats.find((x) => x.sink === s.id)),
            cell: (s) => {
              const st = p.stats.find((x) => x.sink === s.id);
              return st ? t("alerts.stats", { ok: fmtInt(st.delivered), failed: fmtInt(st.failed) }) : "–";
            },
          },
          {
            head: t("alerts.col.test"),
            cellClass: "test-cell",
            cell: (s) => {
              const r = results[s.id];
              const ready = !!stored(s) && unchanged(s);
              return (
                <div class="test">
                  <button
                    class="btn btn-small"
                    type="button"
                    disabled={!ready || r?.busy}
                    title={ready ? undefined : t("alerts.saveFirst")}
                    onClick={() => test(s.id)}
                    data-testid="send-test"
                  >
                    {r?.busy ? t("alerts.sending") : t("alerts.sendTest")}
                  </button>
                  {r && !r.busy && (
                    <span
                      class={"test-result " + (r.ok ? "ok" : "bad")}
                      data-testid="test-result"
                      role="status"
                    >
                      {r.ok
                        ? r.attempts > 1
                          ? t("alerts.testOkAfter", { n: r.attempts })
                          : t("alerts.testOk")
                        : t("alerts.testFailed", { error: r.error || "–" })}
                    </span>
                  )}
                </div>
              );
            },
          },
          {
            head: <span class="sr-only">{t("alerts.col.actions")}</span>,
            class: "actions",
            cell: (s) => (
              <RowActions
                id={s.id}
                readOnly={p.readOnly}
                onEdit={() => setEditing(index(s))}
                onRemove={() => p.onChange(p.sinks.filter((x) => x !== s))}
              />
            ),
          },
        ]}
      />
      {editing !== null && (
        <ItemForm<AlertSink>
          title={current ? t("alerts.editSink", { id: current.id }) : t("alerts.newSink")}
          testid="sink-form"
          item={current}
          kinds={SINK_KINDS}
          kindName={sinkKindName}
          fields={sinkFields}
          make={newSink}
          adjust={adjustSink}
          taken={p.sinks.filter((x) => x !== current).map((x) => x.id)}
          idLocked={!!current && !!stored(current)}
          readOnly={p.readOnly}
          enabledLabel={t("alerts.sinkEnabled")}
          onApply={(s) => {
            if (current) p.onChange(p.sinks.map((x) => (x === current ? s : x)));
            else p.onChange([...p.sinks, s]);
            setEditing(null);
          }}
          onClose={() => setEditing(null)}
        />
      )}
    </Card>
  );
}

function statTitle(st: AlertSinkStat | undefined): string | undefined {
  if (!st) return undefined;
  const last = st.lastAt ? t("alerts.lastAt", { time: fmtDateTime(st.lastAt) }) : "";
  const err = st.lastError ? t("alerts.lastError", { error: st.lastError }) : "";
  return [last, err].filter(Boolean).join("\n") || undefined;
}
