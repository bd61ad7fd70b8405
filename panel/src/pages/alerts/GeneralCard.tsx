// The settings of the alerts as a whole: on/off, how often rules are evaluated, the time zone, delivery.
import { useMemo } from "preact/hooks";
import type { AlertsConfig } from "../../api/types";
import { t } from "../../i18n/i18n";
import { zoneNames } from "../../lib/timezone";
import { Card } from "../../components/ui";
import { Check, Field } from "../../components/fields";
import { SpecField } from "./SpecField";
import { fieldOk, type FieldSpec } from "./spec";

const EVALUATE: FieldSpec = {
  key: "evaluateSeconds",
  type: "int",
  label: "alerts.evaluate",
  unit: "alerts.unit.s",
  min: 1,
  max: 3600,
};
const TIMEOUT: FieldSpec = {
  key: "timeoutSeconds",
  type: "int",
  label: "alerts.timeout",
  unit: "alerts.unit.s",
  min: 1,
  max: 120,
};
const RETRIES: FieldSpec = { key: "retries", type: "int", label: "alerts.retries", min: 0, max: 10 };

/** Whether the general fields can be saved. */
export const generalOk = (c: AlertsConfig) =>
  fieldOk(EVALUATE, c.evaluateSeconds) &&
  fieldOk(TIMEOUT, c.delivery?.timeoutSeconds) &&
  fieldOk(RETRIES, c.delivery?.retries) &&
  !!c.timezone;

export function GeneralCard(p: {
  config: AlertsConfig;
  readOnly: boolean;
  onChange: (c: AlertsConfig) => void;
}) {
  const c = p.config;
  const zones = useMemo(zoneNames, []);
  const delivery = c.delivery ?? { timeoutSeconds: 10, retries: 3 };
  const setDelivery = (key: string, v: unknown) => p.onChange({ ...c, delivery: { ...delivery, [key]: v } });
  return (
    <Card title={t("alerts.general")} testid="alerts-general">
      <div class="form">
        <Check
          label={t("alerts.enabled")}
          name="alerts-enabled"
          checked={c.enabled}
          disabled={p.readOnly}
          onChecked={(on) => p.onChange({ ...c, enabled: on })}
        />
        <div class="general-grid">
          <SpecField
            spec={EVALUATE}
            value={c.evaluateSeconds}
            disabled={p.readOnly}
            invalid={!fieldOk(EVALUATE, c.evaluateSeconds)}
            onValue={(v) => p.onChange({ ...c, evaluateSeconds: v as number })}
          />
          <Field label={t("alerts.timezone")}>
            <select
              name="timezone"
              value={c.timezone}
              disabled={p.readOnly}
              onChange={(e) => p.onChange({ ...c, timezone: (e.target as HTMLSelectElement).value })}
            >
              {!zones.includes(c.timezone) && <option value={c.timezone}>{c.timezone}</option>}
              {zones.map((z) => (
                <option value={z}>{z}</option>
              ))}
            </select>
          </Field>
          <SpecField
            spec={TIMEOUT}
            value={delivery.timeoutSeconds}
            disabled={p.readOnly}
            invalid={!fieldOk(TIMEOUT, delivery.timeoutSeconds)}
            onValue={(v) => setDelivery("timeoutSeconds", v)}
          />
          <SpecField
            spec={RETRIES}
            value={delivery.retries}
            disabled={p.readOnly}
            invalid={!fieldOk(RETRIES, delivery.retries)}
            onValue={(v) => setDelivery("retries", v)}
          />
        </div>
        <p class="hint">{t("alerts.tzHint")}</p>
      </div>
    </Card>
  );
}
