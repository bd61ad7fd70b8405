// Alerts (docs/alerts.md): what fires now, the rules and sinks with one Save for the whole configuration,
// a test notice per sink, and the history of notices. Active alerts and the history are polled every 15 s.
import { useState } from "preact/hooks";
import { ApiError, get, put } from "../api/client";
import type { AlertsAnswer, AlertsConfig } from "../api/types";
import { t } from "../i18n/i18n";
import { usePoll } from "../lib/poll";
import { ErrorNote, Loading, OkNote } from "../components/ui";
import { ActiveCard } from "./alerts/ActiveCard";
import { RulesCard } from "./alerts/RulesCard";
import { SinksCard } from "./alerts/SinksCard";
import { GeneralCard, generalOk } from "./alerts/GeneralCard";
import { History } from "./alerts/History";

/** Every list present, so the draft compares equal to what it came from. */
function normalize(a: AlertsAnswer): AlertsAnswer {
  const c = a.alerts ?? ({} as AlertsConfig);
  return {
    ...a,
    alerts: {
      ...c,
      delivery: c.delivery ?? { timeoutSeconds: 10, retries: 3 },
      rules: c.rules ?? [],
      sinks: c.sinks ?? [],
    },
    active: a.active ?? [],
    sinkStats: a.sinkStats ?? [],
  };
}

/** "rules[2].threshold …" names a position; say which rule or sink that is. */
function errorPlace(e: unknown, c: AlertsConfig | null): string | null {
  const m = e instanceof ApiError ? /^(rules|sinks)\[(\d+)\]/.exec(e.message) : null;
  const item = m && c ? c[m[1] as "rules" | "sinks"][Number(m[2])] : null;
  return item ? t(m![1] === "rules" ? "alerts.errorRule" : "alerts.errorSink", { id: item.id }) : null;
}

export function Alerts() {
  const [answer, setAnswer] = useState<AlertsAnswer | null>(null);
  const [draft, setDraft] = useState<AlertsConfig | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [tested, setTested] = useState(0);
  const dirty = !!answer && !!draft && JSON.stringify(draft) !== JSON.stringify(answer.alerts);

  // What fires now and the delivery counts; the draft follows the server only while nothing is edited.
  const load = async () => {
    try {
      const a = normalize(await get<AlertsAnswer>("/usage-service/alerts"));
      setAnswer(a);
      if (!dirty) setDraft(a.alerts);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  usePoll(load, 15_000);

  if (!answer || !draft)
    return (
      <div class="page" data-testid="page-alerts">
        {error ? <ErrorNote error={error} onRetry={load} /> : <Loading />}
      </div>
    );

  const readOnly = answer.source === "file";
  const change = (c: AlertsConfig) => {
    setDraft(c);
    setSaved(false);
  };
  async function save() {
    setBusy(true);
    setSaveError(null);
    setSaved(false);
    try {
      const a = normalize(await put<AlertsAnswer>("/usage-service/alerts", draft));
      setAnswer(a);
      setDraft(a.alerts);
      setSaved(true);
    } catch (e) {
      setSaveError(e);
    }
    setBusy(false);
  }
  const place = errorPlace(saveError, draft);

  return (
    <div class="page" data-testid="page-alerts">
      <ActiveCard active={answer.active} />
      <div class="stack alerts-config">
        {readOnly && (
          <div class="note note-warn" data-testid="alerts-file-note">
            {t("alerts.fileManaged")}
          </div>
        )}
        {answer.source === "default" && !dirty && <div class="note">{t("alerts.defaults")}</div>}
        <RulesCard
          rules={draft.rules}
          sinks={draft.sinks}
          readOnly={readOnly}
          onChange={(rules) => change({ ...draft, rules })}
        />
        <SinksCard
          sinks={draft.sinks}
          saved={answer.alerts.sinks}
          stats={answer.sinkStats}
          readOnly={readOnly}
          onChange={(sinks) => change({ ...draft, sinks })}
          onTested={() => setTested((n) => n + 1)}
        />
        <GeneralCard config={draft} readOnly={readOnly} onChange={change} />
        {!readOnly && (
          <div class={"save-bar" + (dirty ? " dirty" : "")} data-testid="alerts-save-bar">
            <div class="save-state">
              {saveError ? (
                <>
                  <ErrorNote error={saveError} />
                  {place && <small class="field-error">{place}</small>}
                </>
              ) : saved ? (
                <OkNote>{t("alerts.saved")}</OkNote>
              ) : (
                <span class="muted small">{dirty ? t("alerts.unsaved") : t("alerts.together")}</span>
              )}
            </div>
            <div class="form-actions">
              {dirty && (
                <button
                  class="btn"
                  type="button"
                  onClick={() => {
                    setDraft(answer.alerts);
                    setSaveError(null);
                  }}
                >
                  {t("alerts.discard")}
                </button>
              )}
              <button
                class="btn btn-primary"
                type="button"
                disabled={!dirty || busy || !generalOk(draft)}
                onClick={save}
                data-testid="save-alerts"
              >
                {busy ? t("wizard.saving") : t("alerts.save")}
              </button>
            </div>
          </div>
        )}
      </div>
      <History refresh={tested} sinks={answer.alerts.sinks.some((s) => s.enabled !== false)} />
    </div>
  );
}
