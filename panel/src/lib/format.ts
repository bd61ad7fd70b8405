// Numbers, money, durations and dates for the current locale (Intl only; formatters cached per language).
import { lang, t } from "../i18n/i18n";

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function nf(opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const id = lang.value + "n" + JSON.stringify(opts);
  let f = cache.get(id) as Intl.NumberFormat | undefined;
  if (!f) cache.set(id, (f = new Intl.NumberFormat(lang.value, opts)));
  return f;
}
function df(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = lang.value + "d" + JSON.stringify(opts);
  let f = cache.get(id) as Intl.DateTimeFormat | undefined;
  if (!f) cache.set(id, (f = new Intl.DateTimeFormat(lang.value, opts)));
  return f;
}

const DASH = "–";
const ok = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);

export const fmtInt = (n: number | null | undefined) =>
  ok(n) ? nf({ maximumFractionDigits: 0 }).format(n) : DASH;
export const fmtNum = (n: number | null | undefined, digits = 2, signed = false) =>
  ok(n) ? nf({ maximumFractionDigits: digits, signDisplay: signed ? "exceptZero" : "auto" }).format(n) : DASH;
/** 1.2M / 120万 style for large counts. */
export const fmtCompact = (n: number | null | undefined) =>
  ok(n) ? nf({ notation: "compact", maximumFractionDigits: Math.abs(n) < 1000 ? 0 : 1 }).format(n) : DASH;
export function fmtCost(n: number | null | undefined): string {
  if (!ok(n)) return DASH;
  const digits = n !== 0 && Math.abs(n) < 1 ? 4 : 2;
  return nf({
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: digits,
  }).format(n);
}
export const fmtPct = (n: number | null | undefined, digits = 1) =>
  ok(n) ? nf({ style: "percent", maximumFractionDigits: digits }).format(n) : DASH;
/** A signed relative change (+12.5 %), for comparisons with the previous period. */
export const fmtChange = (n: number | null | undefined) =>
  ok(n) ? nf({ style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(n) : DASH;
export function fmtMs(n: number | null | undefined): string {
  if (!ok(n)) return DASH;
  if (n < 1000) return nf({ maximumFractionDigits: 0 }).format(n) + " ms";
  return nf({ maximumFractionDigits: n < 10000 ? 2 : 1 }).format(n / 1000) + " s";
}
export function fmtBytes(n: number | null | undefined): string {
  if (!ok(n)) return DASH;
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return nf({ maximumFractionDigits: i === 0 ? 0 : 1 }).format(v) + " " + units[i];
}
export function fmtDuration(seconds: number | null | undefined): string {
  if (!ok(seconds)) return DASH;
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) return t("dur.dh", { d, h });
  if (h) return t("dur.hm", { h, m });
  return t("dur.ms", { m, s: Math.floor(seconds % 60) });
}

export const fmtTime = (ms: number | null | undefined, timeZone?: string) =>
  ok(ms) && ms > 0
    ? df({ hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone }).format(ms)
    : DASH;
export const fmtDateTime = (ms: number | null | undefined, timeZone?: string) =>
  ok(ms) && ms > 0
    ? df({
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hour12: false,
        timeZone,
      }).format(ms)
    : DASH;
export const fmtDate = (ms: number | null | undefined, timeZone?: string) =>
  ok(ms) && ms > 0 ? df({ year: "numeric", month: "2-digit", day: "2-digit", timeZone }).format(ms) : DASH;
export const fmtHour = (ms: number, timeZone?: string) =>
  df({ hour: "2-digit", minute: "2-digit", hour12: false, timeZone }).format(ms);
export const fmtDay = (ms: number, timeZone?: string) =>
  df({ month: "short", day: "numeric", timeZone }).format(ms);
export const weekdayName = (d: number) =>
  df({ weekday: "short", timeZone: "UTC" }).format(Date.UTC(2023, 0, 1 + d));

const rtfCache = new Map<string, Intl.RelativeTimeFormat>();
/** "5 minutes ago" / "5分钟前" for a past moment (ms since the epoch). */
export function fmtAgo(ms: number | null | undefined, now = Date.now()): string {
  if (!ok(ms) || ms <= 0) return DASH;
  const s = Math.round((ms - now) / 1000);
  const a = Math.abs(s);
  const [v, unit]: [number, Intl.RelativeTimeFormatUnit] =
    a < 60
      ? [s, "second"]
      : a < 3600
        ? [Math.round(s / 60), "minute"]
        : a < 86400
          ? [Math.round(s / 3600), "hour"]
          : [Math.round(s / 86400), "day"];
  const id = lang.value + "r";
  let f = rtfCache.get(id);
  if (!f) rtfCache.set(id, (f = new Intl.RelativeTimeFormat(lang.value, { numeric: "auto" })));
  return f.format(v, unit);
}
/** Short form of a 64-hex key hash. */
export const shortHash = (h: string) => (h ? h.slice(0, 8) + "…" : DASH);
