// Range presets and custom dates, granularity, comparison and time zone.
import { useMemo, useState } from "preact/hooks";
import { t, type MessageKey } from "../../i18n/i18n";
import { timeZone, setTimeZone, zoneNames, browserZone } from "../../lib/timezone";
import { PRESETS, type Preset, type Gran } from "./query";
import { InputField, Check } from "../../components/fields";
import { Segmented } from "../../components/ui";

const GRANULARITIES: readonly Gran[] = ["auto", "hour", "day"];

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
      <Segmented
        label={t("range.label")}
        options={PRESETS}
        value={p.preset}
        onChange={p.setPreset}
        text={(x) => t(("range." + x) as MessageKey)}
      />
      {p.preset === "custom" && (
        <form
          class="custom-range"
          onSubmit={(e) => {
            e.preventDefault();
            p.setCustom({ from, to });
          }}
        >
          <InputField label={t("range.from")} type="date" value={from} max={to} onValue={setFrom} />
          <InputField label={t("range.to")} type="date" value={to} min={from} onValue={setTo} />
          <button class="btn btn-small" type="submit">
            {t("range.apply")}
          </button>
        </form>
      )}
      <Segmented
        label={t("an.granularity")}
        options={GRANULARITIES}
        value={p.gran}
        onChange={p.setGran}
        text={(g) => t(("an.gran." + g) as MessageKey)}
      />
      <Check label={t("an.compare")} small checked={p.compare} onChecked={p.setCompare} />
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
