// The collector and store at a glance (from /status): state, transport, throughput, sizes.
import type { Status } from "../api/types";
import { t } from "../i18n/i18n";
import { fmtBytes, fmtDateTime, fmtDuration, fmtInt, fmtNum } from "../lib/format";
import { Card, Fact } from "./ui";

const toMs = (v: number | string | null | undefined): number | null =>
  v == null ? null : typeof v === "number" ? v : Date.parse(v) || null;

export function CollectorCard({ status, full }: { status: Status; full?: boolean }) {
  const c = status.collector;
  const tone = c.collector === "running" ? "good" : c.collector === "error" ? "bad" : "warn";
  const rows: [string, string][] = [
    [t("sys.transport"), c.activeTransport || c.transport || c.mode || "–"],
    [t("sys.upstream"), c.upstream || "–"],
    [t("sys.lastInserted"), fmtDateTime(toMs(c.lastInsertedAt))],
    [t("sys.inserted"), fmtInt(c.totalInserted)],
    [t("sys.skipped"), fmtInt(c.totalSkipped)],
    [t("sys.rate"), t("sys.perSecond", { n: fmtNum(c.eventsPerSecond ?? 0, 1) })],
    [t("sys.events"), fmtInt(status.events)],
    [t("sys.dbSize"), fmtBytes(status.database?.databaseBytes)],
    [t("sys.walSize"), fmtBytes(status.database?.walBytes)],
  ];
  if (full) {
    rows.push(
      [t("sys.deadLetters"), fmtInt(status.deadLetters)],
      [t("sys.spool"), fmtInt(c.spoolDepth ?? 0)],
      [t("sys.reconnects"), fmtInt(c.reconnects ?? 0)],
      [t("sys.lost"), fmtInt(c.lostRecords ?? 0)],
      [t("sys.totalSize"), fmtBytes(status.database?.totalBytes)],
      [t("sys.dbPath"), status.dbPath],
      [t("sys.uptime"), fmtDuration(status.uptimeSeconds)],
      [t("sys.memory"), fmtBytes(status.rssBytes)],
      [t("sys.version"), status.version ?? "–"],
    );
  }
  return (
    <Card
      title={t("sys.collector")}
      testid="collector-card"
      actions={
        <span class={"badge " + tone} data-testid="collector-state">
          {t(("sys.state." + (c.collector || "stopped")) as "sys.state.running")}
        </span>
      }
    >
      <dl class="facts">
        {rows.map(([k, v]) => (
          <Fact label={k} class="ellipsis" title={v}>
            {v}
          </Fact>
        ))}
      </dl>
      {c.lastError && (
        <div class="note note-error small" role="status">
          {t("sys.lastError")}: {c.lastError}
        </div>
      )}
    </Card>
  );
}
