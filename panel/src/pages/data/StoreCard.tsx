// What is stored, and how to back it up (the backup itself is a command, not a route).
import { useEffect, useState } from "preact/hooks";
import { get } from "../../api/client";
import type { Status } from "../../api/types";
import { t } from "../../i18n/i18n";
import { fmtBytes, fmtInt } from "../../lib/format";
import { Card, Fact } from "../../components/ui";

export function StoreCard() {
  const [st, setSt] = useState<Status | null>(null);
  useEffect(() => {
    get<Status>("/status").then(setSt, () => {});
  }, []);
  if (!st) return null;
  return (
    <Card title={t("data.store")}>
      <dl class="facts">
        <Fact label={t("sys.events")}>{fmtInt(st.events)}</Fact>
        <Fact label={t("sys.dbSize")}>{fmtBytes(st.database?.databaseBytes)}</Fact>
        <Fact label={t("sys.walSize")}>{fmtBytes(st.database?.walBytes)}</Fact>
        <Fact label={t("sys.totalSize")}>{fmtBytes(st.database?.totalBytes)}</Fact>
        <Fact label={t("sys.dbPath")} class="mono ellipsis" title={st.dbPath}>
          {st.dbPath}
        </Fact>
      </dl>
      <p class="small muted">
        {t("data.backupHint")} <code>cpamd backup --out FILE</code>
      </p>
    </Card>
  );
}
