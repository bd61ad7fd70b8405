// One stored event by its id, for the detail drawer of rows that are not full event rows (recent failures).
import { post } from "./client";
import type { AnalyticsAnswer, EventRow } from "./types";

/**
 * The events page's keyset is strict, (timestamp_ms, id) < (before_ms, before_id), newest first: with
 * before_ms = the event's own ms and before_id = id + 1 its first row is the event itself, even when another
 * event was stored in the same millisecond with a larger id. Null when it is gone (retention, a wipe).
 */
export async function fetchEvent(id: number, timestampMs: number): Promise<EventRow | null> {
  const a = await post<AnalyticsAnswer>("/v0/management/monitoring/analytics", {
    from_ms: timestampMs,
    to_ms: timestampMs + 1,
    now_ms: Date.now(),
    include: { events_page: { limit: 1, before_ms: timestampMs, before_id: id + 1 } },
  });
  const row = a.events?.items[0];
  return row?.id === id ? row : null;
}
