// Today's newest failures; a click opens the event in the same detail drawer Monitoring uses.
import { useState } from "preact/hooks";
import type { DashboardSummary, EventRow } from "../../api/types";
import { fetchEvent } from "../../api/events";
import { t } from "../../i18n/i18n";
import { readableFailure } from "../../lib/failure";
import { fmtTime } from "../../lib/format";
import { Empty, ErrorNote } from "../../components/ui";
import { EventDrawer } from "../../components/EventDrawer";

type Failure = DashboardSummary["recent_failures"][number];

export function RecentFailures({ items }: { items: Failure[] }) {
  const [open, setOpen] = useState<EventRow | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function show(f: Failure) {
    try {
      const row = await fetchEvent(f.id, f.timestamp_ms);
      setError(row ? null : new Error(t("dash.failureGone")));
      setOpen(row);
    } catch (e) {
      setError(e);
    }
  }

  if (!items.length) return <Empty>{t("dash.noFailures")}</Empty>;
  return (
    <>
      <ErrorNote error={error} />
      <ul class="fail-list" data-testid="recent-failures">
        {items.map((f) => (
          <li key={f.id}>
            <button
              type="button"
              class="fail-item"
              data-id={f.id}
              onClick={() => show(f)}
              aria-label={t("mon.openRow", { model: f.model, time: fmtTime(f.timestamp_ms) })}
            >
              <span class="fail-head">
                <span class="badge bad">{f.fail_status_code ?? t("status.err")}</span>
                <span class="mono ellipsis">{f.model}</span>
                <span class="muted small nowrap">{fmtTime(f.timestamp_ms)}</span>
              </span>
              <span class="fail-summary muted small" title={f.fail_summary}>
                {f.api_key_alias && <span class="tag">{f.api_key_alias}</span>}{" "}
                {readableFailure(f.fail_summary) || f.endpoint}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {open && <EventDrawer row={open} onClose={() => setOpen(null)} />}
    </>
  );
}
