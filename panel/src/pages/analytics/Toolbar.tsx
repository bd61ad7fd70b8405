// Range presets and custom dates, granularity, comparison and time zone.
import { useMemo, useState } from "preact/hooks";
import { t, type MessageKey } from "../../i18n/i18n";
import { timeZone, setTimeZone, zoneNames, browserZone } from "../../lib/timezone";
import { PRESETS, type Preset, type Gran } from "./query";

export function Toolbar(p: {
  preset: Preset;
  setPreset: (x: Preset) => void;
  gran: Gran;
  setGran: (g: Gran) => void;
  compare: boolean;
  setCompare: (b: boolean) => void;
  custom: { from: string; to: string };
  setCustom: (c: { from: string; to: string }) => void;
}) {
  const [from, setFrom] = useState(p.custom.from);
  const [to, setTo] = useState(p.custom.to);
  const zones = useMemo(zoneNames, []);
  return (
    <div class="toolbar">
      <div class="seg" role="group" aria-label={t("range.label")}>
        {PRESETS.map((x) => (
          <button
            type="button"
            class={x === p.preset ? "on" : ""}
            aria-pressed={x === p.preset}
            onClick={() => p.setPreset(x)}
          >
            {t(("range." + x) as MessageKey)}
          </button>
        ))}
      </div>
      {p.preset === "custom" && (
        <form
          class="custom-range"
          onSubmit={(e) => {
            e.preventDefault();
            p.setCustom({ from, to });
          }}
        >
          <label class="field">
            <span>{t("range.from")}</span>
            <input
              type="date"
              value={from}
              max={to}
              onInput={(e) => setFrom((e.target as HTMLInputElement).value)}
            />
          </label>
          <label class="field">
            <span>{t("range.to")}</span>
            <input
              type="date"
              value={to}
              min={from}
              onInput={(e) => setTo((e.target as HTMLInputElement).value)}
            />
          </label>
          <button class="btn btn-small" type="submit">
            {t("range.apply")}
          </button>
        </form>
      )}
      <div class="seg" role="group" aria-label={t("an.granularity")}>
        {(["auto", "hour", "day"] as const).map((g) => (
          <button
            type="button"
            class={g === p.gran ? "on" : ""}
            aria-pressed={g === p.gran}
            onClick={() => p.setGran(g)}
          >
            {t(("an.gran." + g) as MessageKey)}
          </button>
        ))}
      </div>
      <label class="check small">
        <input
          type="checkbox"
          checked={p.compare}
          onChange={(e) => p.setCompare((e.target as HTMLInputElement).checked)}
        />
        <span>{t("an.compare")}</span>
      </label>
      <label class="field tz">
        <span class="sr-only">{t("an.timeZone")}</span>
        <select
          value={timeZone.value}
          onChange={(e) => setTimeZone((e.target as HTMLSelectElement).value)}
          title={t("an.timeZone")}
          class="select-small"
          data-testid="tz-select"
        >
          {!zones.includes(timeZone.value) && <option value={timeZone.value}>{timeZone.value}</option>}
          {zones.map((z) => (
            <option value={z}>{z === browserZone ? `${z} (${t("an.browserZone")})` : z}</option>
          ))}
        </select>
      </label>
    </div>
  );
}
