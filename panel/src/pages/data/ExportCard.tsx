// Export: the stored events as a JSONL download, optionally for a date range.
import { useState } from "preact/hooks";
import { send } from "../../api/client";
import { t } from "../../i18n/i18n";
import { fmtBytes } from "../../lib/format";
import { timeZone } from "../../lib/timezone";
import { parseIsoDate } from "../../lib/zoned";
import { Card, ErrorNote, OkNote } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { InputField } from "../../components/fields";

export function ExportCard() {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<number | null>(null);

  async function download(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    const q = new URLSearchParams();
    const f = parseIsoDate(timeZone.value, from);
    const tt = parseIsoDate(timeZone.value, to);
    if (f !== null) q.set("from", String(f));
    if (tt !== null) q.set("to", String(tt + 86_400_000));
    try {
      const res = await send("GET", "/v0/management/usage/export" + (q.toString() ? "?" + q.toString() : ""));
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = "usage-events.jsonl";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDone(blob.size);
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  }

  return (
    <Card title={t("data.export")}>
      <form class="form" onSubmit={download}>
        <p class="hint">{t("data.exportHint")}</p>
        <div class="field-row">
          <InputField label={t("range.from")} type="date" value={from} onValue={setFrom} name="export-from" />
          <InputField label={t("range.to")} type="date" value={to} onValue={setTo} name="export-to" />
        </div>
        <ErrorNote error={error} />
        {done !== null && <OkNote>{t("data.exported", { size: fmtBytes(done) })}</OkNote>}
        <div class="form-actions">
          <button class="btn btn-primary" type="submit" disabled={busy} data-testid="export">
            <Icon name="download" size={16} /> {busy ? t("data.exporting") : t("data.download")}
          </button>
        </div>
      </form>
    </Card>
  );
}
