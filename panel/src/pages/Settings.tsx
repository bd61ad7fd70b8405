// cpamd's own settings (/usage-service/config) and the system card (/status).
import { useEffect, useState } from "preact/hooks";
import { get, put } from "../api/client";
import type { ConfigAnswer, ManagerConfig, Status } from "../api/types";
import { t } from "../i18n/i18n";
import { usePoll } from "../lib/poll";
import { recovery, checkConnection } from "../lib/app-state";
import { Card, ErrorNote, Loading } from "../components/ui";
import { CollectorCard } from "../components/CollectorCard";

const MODES = ["auto", "subscribe", "http", "resp"];

interface Form {
  url: string;
  key: string;
  enabled: boolean;
  mode: string;
  batch: number;
  poll: number;
  limit: number;
  tls: boolean;
}

function toForm(c: ManagerConfig): Form {
  return {
    url: c.cpaConnection?.cpaBaseUrl ?? "",
    key: "",
    enabled: c.collector?.enabled ?? false,
    mode: c.collector?.collectorMode || "auto",
    batch: c.collector?.batchSize ?? 100,
    poll: c.collector?.pollIntervalMs ?? 500,
    limit: c.collector?.queryLimit ?? 50000,
    tls: c.collector?.tlsSkipVerify ?? false,
  };
}

export function Settings() {
  const [answer, setAnswer] = useState<ConfigAnswer | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status | null>(null);

  const load = async () => {
    try {
      const a = await get<ConfigAnswer>("/usage-service/config");
      setAnswer(a);
      setForm(toForm(a.config));
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => void load(), []);
  usePoll(async () => {
    try {
      setStatus(await get<Status>("/status"));
    } catch {
      /* the config part shows errors */
    }
  }, 10_000);

  if (!form || !answer) return error ? <ErrorNote error={error} onRetry={load} /> : <Loading />;
  const envManaged = answer.source === "env";
  const set = <K extends keyof Form>(k: K, v: Form[K]) => {
    setForm({ ...form, [k]: v });
    setSaved(false);
  };
  const urlChanged = form.url.trim() !== (answer.config.cpaConnection?.cpaBaseUrl ?? "");
  const needKey = urlChanged && !form.key.trim();

  async function save(e: Event) {
    e.preventDefault();
    if (!form || !answer) return;
    setBusy(true);
    setSaveError(null);
    setSaved(false);
    const connection =
      urlChanged || form.key.trim() ? { cpaBaseUrl: form.url.trim(), managementKey: form.key.trim() } : {};
    const config = {
      ...answer.config,
      cpaConnection: connection,
      collector: {
        ...answer.config.collector,
        enabled: form.enabled,
        collectorMode: form.mode,
        batchSize: form.batch,
        pollIntervalMs: form.poll,
        queryLimit: form.limit,
        tlsSkipVerify: form.tls,
      },
    };
    try {
      await put("/usage-service/config", { config });
      setSaved(true);
      await load();
      await checkConnection(false);
    } catch (err) {
      setSaveError(err);
    }
    setBusy(false);
  }

  const num = (k: "batch" | "poll" | "limit") => (e: Event) =>
    set(k, Number((e.target as HTMLInputElement).value));
  const usage = answer.cpaUsage;
  return (
    <div class="page" data-testid="page-settings">
      <div class="grid grid-2">
        <Card title={t("settings.connection")}>
          <form class="form" onSubmit={save} data-testid="settings-form">
            {recovery.value && <div class="note note-warn">{t("recovery.hint")}</div>}
            {envManaged && <div class="note">{t("settings.envManaged")}</div>}
            <label class="field">
              <span>{t("settings.cpaUrl")}</span>
              <input
                name="cpa-url"
                type="url"
                value={form.url}
                disabled={envManaged}
                onInput={(e) => set("url", (e.target as HTMLInputElement).value)}
              />
            </label>
            <label class="field">
              <span>{t("settings.cpaKey")}</span>
              <input
                name="cpa-key"
                type="password"
                value={form.key}
                placeholder={answer.config.cpaConnection?.managementKey ? t("settings.keyKept") : ""}
                disabled={envManaged}
                aria-invalid={needKey}
                onInput={(e) => set("key", (e.target as HTMLInputElement).value)}
              />
              {needKey && <small class="field-error">{t("settings.keyNeeded")}</small>}
            </label>
            <div class="cpa-usage small muted">
              {usage
                ? t("settings.cpaUsage", {
                    stats: usage.usageStatisticsEnabled ? t("common.on") : t("common.off"),
                    retention: usage.redisUsageQueueRetentionSeconds,
                  })
                : t("settings.cpaUnreachable")}
            </div>
            <fieldset class="fieldset">
              <legend>{t("settings.collector")}</legend>
              <label class="check">
                <input
                  type="checkbox"
                  name="collector-enabled"
                  checked={form.enabled}
                  disabled={envManaged}
                  onChange={(e) => set("enabled", (e.target as HTMLInputElement).checked)}
                />
                <span>{t("wizard.monitoringLabel")}</span>
              </label>
              <div class="field-row">
                <label class="field">
                  <span>{t("settings.mode")}</span>
                  <select
                    name="collector-mode"
                    value={form.mode}
                    disabled={envManaged}
                    onChange={(e) => set("mode", (e.target as HTMLSelectElement).value)}
                  >
                    {MODES.map((m) => (
                      <option value={m}>{t(("settings.mode." + m) as "settings.mode.auto")}</option>
                    ))}
                  </select>
                </label>
                <label class="field">
                  <span>{t("settings.pollInterval")}</span>
                  <input
                    name="poll"
                    type="number"
                    min={1}
                    value={form.poll}
                    disabled={envManaged}
                    onInput={num("poll")}
                  />
                </label>
              </div>
              <div class="field-row">
                <label class="field">
                  <span>{t("settings.batchSize")}</span>
                  <input
                    name="batch"
                    type="number"
                    min={1}
                    value={form.batch}
                    disabled={envManaged}
                    onInput={num("batch")}
                  />
                </label>
                <label class="field">
                  <span>{t("settings.queryLimit")}</span>
                  <input
                    name="limit"
                    type="number"
                    min={1}
                    max={50000}
                    value={form.limit}
                    disabled={envManaged}
                    onInput={num("limit")}
                  />
                </label>
              </div>
              <label class="check">
                <input
                  type="checkbox"
                  checked={form.tls}
                  disabled={envManaged}
                  onChange={(e) => set("tls", (e.target as HTMLInputElement).checked)}
                />
                <span>{t("settings.tlsSkip")}</span>
              </label>
            </fieldset>
            <ErrorNote error={saveError} />
            {saved && (
              <div class="note note-ok" role="status">
                {t("settings.saved")}
              </div>
            )}
            <div class="form-actions">
              <button class="btn btn-primary" type="submit" disabled={busy || envManaged || needKey}>
                {busy ? t("wizard.saving") : t("common.save")}
              </button>
            </div>
          </form>
        </Card>
        <div class="stack">
          {status ? <CollectorCard status={status} full /> : <Loading />}
          <Card title={t("settings.storage")}>
            <p class="small">{t("settings.retentionNote")}</p>
            <ul class="plain small mono">
              <li>USAGE_RETENTION_DAYS / retentionDays</li>
              <li>BACKUP_INTERVAL / backupInterval</li>
              <li>BACKUP_RETENTION_DAYS / backupRetentionDays</li>
            </ul>
          </Card>
        </div>
      </div>
    </div>
  );
}
