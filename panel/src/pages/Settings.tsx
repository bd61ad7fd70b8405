// cpamd's own settings (/usage-service/config) and the system card (/status).
import { useEffect, useState } from "preact/hooks";
import { get, put } from "../api/client";
import type { ConfigAnswer, ManagerConfig, Status } from "../api/types";
import { t } from "../i18n/i18n";
import { usePoll } from "../lib/poll";
import { recovery, checkConnection } from "../lib/app-state";
import { Card, ErrorNote, Fact, Loading, OkNote } from "../components/ui";
import { fmtDuration, fmtInt } from "../lib/format";
import { CollectorCard } from "../components/CollectorCard";
import { Field, InputField, Check } from "../components/fields";

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

  // The collector's three whole numbers, each at least 1.
  const numField = (k: "batch" | "poll" | "limit", label: string, max?: number) => (
    <InputField
      label={label}
      name={k}
      type="number"
      min={1}
      max={max}
      value={form[k]}
      disabled={envManaged}
      onValue={(v) => set(k, Number(v))}
    />
  );
  const usage = answer.cpaUsage;
  return (
    <div class="page" data-testid="page-settings">
      <div class="grid grid-2">
        <Card title={t("settings.connection")}>
          <form class="form" onSubmit={save} data-testid="settings-form">
            {recovery.value && <div class="note note-warn">{t("recovery.hint")}</div>}
            {envManaged && <div class="note">{t("settings.envManaged")}</div>}
            <InputField
              label={t("settings.cpaUrl")}
              name="cpa-url"
              type="url"
              value={form.url}
              disabled={envManaged}
              onValue={(v) => set("url", v)}
            />
            <InputField
              label={t("settings.cpaKey")}
              name="cpa-key"
              type="password"
              value={form.key}
              placeholder={answer.config.cpaConnection?.managementKey ? t("settings.keyKept") : ""}
              disabled={envManaged}
              aria-invalid={needKey}
              onValue={(v) => set("key", v)}
            >
              {needKey && <small class="field-error">{t("settings.keyNeeded")}</small>}
            </InputField>
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
              <Check
                label={t("wizard.monitoringLabel")}
                name="collector-enabled"
                checked={form.enabled}
                disabled={envManaged}
                onChecked={(on) => set("enabled", on)}
              />
              <div class="field-row">
                <Field label={t("settings.mode")}>
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
                </Field>
                {numField("poll", t("settings.pollInterval"))}
              </div>
              <div class="field-row">
                {numField("batch", t("settings.batchSize"))}
                {numField("limit", t("settings.queryLimit"), 50000)}
              </div>
              <Check
                label={t("settings.tlsSkip")}
                checked={form.tls}
                disabled={envManaged}
                onChecked={(on) => set("tls", on)}
              />
            </fieldset>
            <ErrorNote error={saveError} />
            {saved && <OkNote>{t("settings.saved")}</OkNote>}
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
            <ProcessSettings settings={answer?.processSettings} />
            <p class="small">{t("settings.retentionNote")}</p>
          </Card>
        </div>
      </div>
    </div>
  );
}

/** Retention and backups: read-only here, as the server reports them. */
function ProcessSettings(props: { settings: ConfigAnswer["processSettings"] }) {
  const p = props.settings;
  if (!p) return null;
  const days = (n: number, none: string) => (n > 0 ? t("settings.days", { n: fmtInt(n) }) : none);
  return (
    <dl class="facts" data-testid="process-settings">
      <Fact label={t("settings.retentionDays")}>{days(p.retentionDays, t("settings.forever"))}</Fact>
      <Fact label={t("settings.backupInterval")}>
        {p.backupIntervalSeconds > 0
          ? t("settings.every", { d: fmtDuration(p.backupIntervalSeconds) })
          : t("settings.off")}
      </Fact>
      <Fact label={t("settings.backupRetention")}>{days(p.backupRetentionDays, t("settings.keepAll"))}</Fact>
    </dl>
  );
}
