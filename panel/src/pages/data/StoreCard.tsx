// What is stored, and how to back it up (the backup itself is a command, not a route).
import { useEffect, useState } from "preact/hooks";
import { get } from "../../api/client";
import type { Status } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtBytes, fmtInt } from "../../lib/format";
import { Card } from "../../components/ui";

export function StoreCard() {
  const [st, setSt] = useState<Status | null>(null);
  useEffect(() => {
    get<Status>("/status").then(setSt, () => {});
  }, []);
  if (!st) return null;
  return (
    <Card title={t("data.store")}>
      <dl class="facts">
        <div>
          <dt>{t("sys.events")}</dt>
          <dd>{fmtInt(st.events)}</dd>
        </div>
        <div>
          <dt>{t("sys.dbSize")}</dt>
          <dd>{fmtBytes(st.database?.databaseBytes)}</dd>
        </div>
        <div>
          <dt>{t("sys.walSize")}</dt>
          <dd>{fmtBytes(st.database?.walBytes)}</dd>
        </div>
        <div>
          <dt>{t("sys.totalSize")}</dt>
          <dd>{fmtBytes(st.database?.totalBytes)}</dd>
        </div>
        <div>
          <dt>{t("sys.dbPath")}</dt>
          <dd class="mono ellipsis" title={st.dbPath}>
            {st.dbPath}
          </dd>
        </div>
      </dl>
      <p class="small muted">
        {t("data.backupHint")} <code>cpamd backup --out FILE</code>
      </p>
    </Card>
  );
}
