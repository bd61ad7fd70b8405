// The newest notices (firing, resolved, test) with each sink's delivery; "More" pages back with nextBefore.
// The first page is asked again every 15 s while visible, and at once when `refresh` changes (after a test).
import { useEffect, useState } from "preact/hooks";
import { get } from "../../api/client";
import type { AlertDelivery, AlertHistory, AlertNotice } from "../../api/types";
import { t, type MessageKey } from "../../i18n/i18n";
import { usePoll } from "../../lib/poll";
import { fmtDateTime } from "../../lib/format";
import { Card, ErrorNote, Loading } from "../../components/ui";
import { DataTable } from "../../components/DataTable";

const PAGE = 50;
const EVENT_TONE: Record<string, string> = { firing: "bad", resolved: "good", test: "" };

/** `refresh`: ask again at once when it changes; `sinks`: whether any sink is on (else nothing is being sent). */
export function History({ refresh, sinks }: { refresh: number; sinks: boolean }) {
  const [items, setItems] = useState<AlertNotice[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  // The first page replaces what it covers; older pages already loaded stay below it.
  const loadFirst = async () => {
    try {
      const a = await get<AlertHistory>(`/usage-service/alerts/history?limit=${PAGE}`);
      const fresh = a.items ?? [];
      const oldest = fresh.length ? fresh[fresh.length - 1].id : Infinity;
      const older = (items ?? []).filter((n) => n.id < oldest);
      setItems([...fresh, ...older]);
      if (!older.length) setNext(a.nextBefore ?? null);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  usePoll(loadFirst, 15_000);
  useEffect(() => {
    if (refresh) void loadFirst();
  }, [refresh]);

  async function more() {
    if (next === null) return;
    setBusy(true);
    try {
      const a = await get<AlertHistory>(`/usage-service/alerts/history?limit=${PAGE}&before=${next}`);
      setItems((old) => [...(old ?? []), ...(a.items ?? [])]);
      setNext(a.nextBefore ?? null);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  }

  return (
    <Card title={t("alerts.history")} testid="alert-history">
      <ErrorNote error={error} onRetry={loadFirst} />
      {items === null ? (
        !error && <Loading />
      ) : (
        <DataTable
          rows={items}
          testid="history-table"
          wrap="table-wrap table-scroll"
          empty={t("alerts.noHistory")}
          columns={[
            {
              head: t("col.time"),
              cellClass: "nowrap mono stacked",
              cell: (n) => (
                <>
                  {fmtDateTime(n.at)}
                  <span class="only-sm">
                    <EventBadge event={n.event} />
                  </span>
                </>
              ),
            },
            { head: t("alerts.col.event"), class: "hide-sm", cell: (n) => <EventBadge event={n.event} /> },
            {
              head: t("alerts.col.rule"),
              cellClass: "stacked",
              cell: (n) => (
                <>
                  <span class="mono">{n.rule || "–"}</span>
                  {n.subject && <span class="subject muted small">{n.subject}</span>}
                  <span class="only-sm">{n.message}</span>
                </>
              ),
            },
            { head: t("alerts.col.message"), class: "hide-sm", cellClass: "message", cell: (n) => n.message },
            {
              head: t("alerts.col.deliveries"),
              cell: (n) =>
                n.deliveries?.length ? (
                  <span class="deliveries">
                    {n.deliveries.map((d) => (
                      <Delivery d={d} />
                    ))}
                  </span>
                ) : (
                  <span class="muted small">
                    {sinks && Date.now() - n.at < 60_000 ? t("alerts.pending") : "–"}
                  </span>
                ),
            },
          ]}
        />
      )}
      {next !== null && items !== null && items.length > 0 && (
        <div class="more">
          <button class="btn" type="button" onClick={more} disabled={busy} data-testid="history-more">
            {t("alerts.more")}
          </button>
        </div>
      )}
    </Card>
  );
}

function EventBadge({ event }: { event: string }) {
  return (
    <span class={"badge " + (EVENT_TONE[event] ?? "")} data-event={event}>
      {["firing", "resolved", "test"].includes(event) ? t(("alerts.event." + event) as MessageKey) : event}
    </span>
  );
}

/** ✓ sink, or ✗ sink that opens to the error (hover shows it too). */
function Delivery({ d }: { d: AlertDelivery }) {
  const tries = t("alerts.attempts", { n: d.attempts });
  if (d.ok)
    return (
      <span class="dlv ok" title={`${d.sink}: ${t("alerts.delivered")} (${tries})`}>
        ✓ {d.sink}
      </span>
    );
  return (
    <details class="dlv bad">
      <summary title={`${d.sink}: ${d.error} (${tries})`}>✗ {d.sink}</summary>
      <span class="small">
        {d.error || "–"} ({tries})
      </span>
    </details>
  );
}
