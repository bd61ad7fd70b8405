// What fires now: one row per rule and subject whose condition holds, or a calm "nothing is firing".
import type { AlertActive } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtAgo, fmtDateTime } from "../../lib/format";
import { Card } from "../../components/ui";
import { DataTable } from "../../components/DataTable";
import { LevelBadge } from "./parts";

export function ActiveCard({ active }: { active: AlertActive[] }) {
  return (
    <Card
      title={t("alerts.active")}
      testid="alerts-active"
      actions={active.length > 0 && <span class="badge bad">{active.length}</span>}
    >
      <DataTable
        rows={active}
        testid="active-table"
        empty={
          <span class="all-clear">
            <span class="dot tone-bg-good" aria-hidden="true" /> {t("alerts.noneActive")}
          </span>
        }
        columns={[
          { head: t("alerts.col.level"), cellClass: "nowrap", cell: (a) => <LevelBadge level={a.level} /> },
          {
            head: t("alerts.col.rule"),
            cellClass: "stacked",
            cell: (a) => (
              <>
                <span class="mono">{a.rule}</span>
                {a.subject && <span class="subject muted small">{a.subject}</span>}
                <span class="only-sm">{a.message}</span>
              </>
            ),
          },
          {
            head: t("alerts.col.since"),
            cellClass: "nowrap",
            title: (a) => fmtDateTime(a.since),
            cell: (a) => fmtAgo(a.since),
          },
          { head: t("alerts.col.message"), class: "hide-sm", cellClass: "message", cell: (a) => a.message },
        ]}
      />
    </Card>
  );
}
