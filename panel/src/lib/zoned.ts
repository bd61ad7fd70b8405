// Instants ↔ wall-clock dates in an IANA zone, with Intl only (no date library).

const partsCache = new Map<string, Intl.DateTimeFormat>();
function parts(tz: string, ms: number): Record<string, number> {
  let f = partsCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    partsCache.set(tz, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(ms)) if (p.type !== "literal") out[p.type] = Number(p.value);
  return out;
}

/** The zone's offset from UTC at `ms`, in milliseconds. */
export function zoneOffset(tz: string, ms: number): number {
  const p = parts(tz, ms);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant of local midnight of the date y-m-d in `tz`. */
export function zonedMidnight(tz: string, y: number, m: number, d: number): number {
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - zoneOffset(tz, guess);
  t = guess - zoneOffset(tz, t);
  return t;
}

/** Local midnight of the day `ms` falls on in `tz`. */
export function startOfDay(tz: string, ms: number): number {
  const p = parts(tz, ms);
  return zonedMidnight(tz, p.year, p.month, p.day);
}

/** "2026-12-07" for `ms` in `tz` (the value of an <input type="date">). */
export function isoDate(tz: string, ms: number): string {
  const p = parts(tz, ms);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

export function parseIsoDate(tz: string, s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? zonedMidnight(tz, +m[1], +m[2], +m[3]) : null;
}
