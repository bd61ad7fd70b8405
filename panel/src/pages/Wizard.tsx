// First-run setup: admin key → CPA URL → CPA management key → request monitoring → poll interval → review.
// The server's answer to POST /setup is shown at the step it is about.
import { useState } from "preact/hooks";
import { ApiError, get, post } from "../api/client";
import { t, type MessageKey } from "../i18n/i18n";
import { login } from "../lib/session";
import { loadInfo } from "../lib/app-state";
import { AuthFrame } from "../components/AuthFrame";
import { ErrorNote } from "../components/ui";
import { InputField, Check } from "../components/fields";

const STEPS = ["adminKey", "cpaUrl", "cpaKey", "monitoring", "poll", "review"] as const;
type Step = (typeof STEPS)[number];

/** Which step a /setup error belongs to. */
function stepOf(e: unknown): Step {
  if (!(e instanceof ApiError)) return "review";
  switch (e.code) {
    case "invalid_admin_key":
    case "too_many_auth_failures":
    case "http_429":
      return "adminKey";
    case "management_api_validation_failed":
      return /\b(401|403)\b/.test(e.message) ? "cpaKey" : "cpaUrl";
    case "invalid_existing_management_key":
      return "cpaKey";
    case "poll_interval_exceeds_retention":
    case "cpa_usage_retention_invalid":
      return "poll";
    case "enable_cpa_usage_statistics_failed":
    case "cpa_connection_required_for_monitoring":
      return "monitoring";
    case "cpa_connection_required":
    case "setup_env_managed":
    case "request_failed":
      return "cpaUrl";
    default:
      return "review";
  }
}

export function Wizard() {
  const [step, setStep] = useState<Step>("adminKey");
  const [adminKey, setAdminKey] = useState("");
  const [url, setUrl] = useState("");
  const [cpaKey, setCpaKey] = useState("");
  const [monitoring, setMonitoring] = useState(true);
  const [poll, setPoll] = useState(500);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ step: Step; e: unknown } | null>(null);
  const index = STEPS.indexOf(step);

  const canNext: Record<Step, boolean> = {
    adminKey: !!adminKey.trim(),
    cpaUrl: !!url.trim(),
    cpaKey: !!cpaKey.trim(),
    monitoring: true,
    poll: Number.isInteger(poll) && poll > 0,
    review: true,
  };

  async function next(e: Event) {
    e.preventDefault();
    if (!canNext[step] || busy) return;
    setError(null);
    if (step === "adminKey") {
      // Check the admin key now rather than at the end.
      setBusy(true);
      try {
        await get("/status", { key: adminKey.trim() });
      } catch (err) {
        setError({ step, e: err });
        setBusy(false);
        return;
      }
      setBusy(false);
    }
    if (step !== "review") {
      setStep(STEPS[index + 1]);
      return;
    }
    setBusy(true);
    try {
      await post(
        "/setup",
        {
          cpaBaseUrl: url.trim(),
          cpaManagementKey: cpaKey.trim(),
          requestMonitoringEnabled: monitoring,
          pollIntervalMs: poll,
        },
        { key: adminKey.trim() },
      );
      login(adminKey.trim(), false);
      await loadInfo();
    } catch (err) {
      const s = stepOf(err);
      setError({ step: s, e: err });
      setStep(s);
      setBusy(false);
    }
  }

  const title = t(("wizard.step." + step) as MessageKey);
  return (
    <AuthFrame title={t("wizard.title")} subtitle={t("wizard.subtitle")} wide>
      <ol class="steps" aria-label={t("wizard.progress")}>
        {STEPS.map((s, i) => (
          <li
            class={i < index ? "done" : i === index ? "current" : ""}
            aria-current={i === index ? "step" : undefined}
          >
            <span class="step-num">{i + 1}</span>
            <span class="step-name">{t(("wizard.step." + s) as MessageKey)}</span>
          </li>
        ))}
      </ol>
      <form class="form" onSubmit={next} data-testid={"wizard-" + step}>
        <h2 class="step-title">{title}</h2>
        {step !== "review" && <p class="hint">{t(("wizard." + step + "Hint") as MessageKey)}</p>}
        {step === "adminKey" && (
          <InputField
            label={t("login.adminKey")}
            name="admin-key"
            type="password"
            value={adminKey}
            autoFocus
            onValue={setAdminKey}
          />
        )}
        {step === "cpaUrl" && (
          <InputField
            label={t("settings.cpaUrl")}
            name="cpa-url"
            type="url"
            inputMode="url"
            placeholder="http://127.0.0.1:8317"
            value={url}
            autoFocus
            onValue={setUrl}
          />
        )}
        {step === "cpaKey" && (
          <InputField
            label={t("settings.cpaKey")}
            name="cpa-key"
            type="password"
            value={cpaKey}
            autoFocus
            onValue={setCpaKey}
          />
        )}
        {step === "monitoring" && (
          <Check
            label={t("wizard.monitoringLabel")}
            name="monitoring"
            checked={monitoring}
            onChecked={setMonitoring}
          />
        )}
        {step === "poll" && (
          <InputField
            label={t("settings.pollInterval")}
            name="poll"
            type="number"
            min={1}
            step={1}
            value={poll}
            autoFocus
            onValue={(v) => setPoll(Number(v))}
          />
        )}
        {step === "review" && (
          <dl class="review">
            <dt>{t("settings.cpaUrl")}</dt>
            <dd>{url}</dd>
            <dt>{t("settings.cpaKey")}</dt>
            <dd>{"•".repeat(Math.min(cpaKey.length, 12))}</dd>
            <dt>{t("wizard.step.monitoring")}</dt>
            <dd>{monitoring ? t("common.on") : t("common.off")}</dd>
            <dt>{t("settings.pollInterval")}</dt>
            <dd>{poll} ms</dd>
          </dl>
        )}
        {error && error.step === step && <ErrorNote error={error.e} />}
        <div class="form-actions">
          {index > 0 && (
            <button type="button" class="btn" onClick={() => setStep(STEPS[index - 1])} disabled={busy}>
              {t("common.back")}
            </button>
          )}
          <button type="submit" class="btn btn-primary" disabled={busy || !canNext[step]}>
            {step === "review"
              ? busy
                ? t("wizard.saving")
                : t("wizard.finish")
              : busy
                ? t("login.checking")
                : t("common.next")}
          </button>
        </div>
      </form>
    </AuthFrame>
  );
}
