// The analytics view as a request: range presets, tabs and the sections each tab asks for.
import { startOfDay, parseIsoDate } from "../../lib/zoned";

export const TABS = ["overview", "trends", "models", "keys", "credentials", "heatmap"] as const;

export type Tab = (typeof TABS)[number];

export const PRESETS = ["today", "24h", "7d", "30d", "90d", "custom"] as const;

export type Preset = (typeof PRESETS)[number];

export type Gran = "auto" | "hour" | "day";

export const DAY = 86_400_000;

export function rangeOf(p: Preset, tz: string, custom: { from: string; to: string }): [number, number] {
  const now = Date.now();
  switch (p) {
    case "today":
      return [startOfDay(tz, now), now];
    case "24h":
      return [now - DAY, now];
    case "7d":
      return [startOfDay(tz, now - 6 * DAY), now];
    case "30d":
      return [startOfDay(tz, now - 29 * DAY), now];
    case "90d":
      return [startOfDay(tz, now - 89 * DAY), now];
    case "custom": {
      const from = parseIsoDate(tz, custom.from) ?? startOfDay(tz, now - 6 * DAY);
      const toDay = parseIsoDate(tz, custom.to) ?? startOfDay(tz, now);
      return [from, Math.max(from + 1, startOfDay(tz, toDay + DAY + 3_600_000))];
    }
  }
}

export function includeFor(tab: Tab, compare: boolean, gran: Gran): Record<string, unknown> {
  const g = gran === "auto" ? "" : gran;
  const common = { filter_selectors: true, granularity: g };
  switch (tab) {
    case "overview":
      return {
        ...common,
        summary: true,
        summary_profile: "full",
        summary_comparison: compare,
        timeline: true,
        anomaly_points: true,
        model_stats: true,
        hourly_distribution: true,
      };
    case "trends":
      return { ...common, summary: true, summary_comparison: compare, timeline: true, anomaly_points: true };
    case "models":
      return { ...common, model_stats: true };
    case "keys":
      return { ...common, api_key_stats: true, api_key_timeline: true, timeline: true };
    case "credentials":
      return { ...common, credential_stats: true };
    case "heatmap":
      return { ...common, heatmap: true };
  }
}
