// The time zone analytics are cut in: the browser's, unless the user picked another (remembered).
import { signal } from "@preact/signals";
import { readPref, writePref } from "./prefs";

export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
export const timeZone = signal<string>(readPref("tz") || browserZone);

export function setTimeZone(z: string) {
  timeZone.value = z || browserZone;
  writePref("tz", z && z !== browserZone ? z : null);
}

/** Every zone the browser knows, with the browser's own and UTC always among them. */
export function zoneNames(): string[] {
  const anyIntl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  let names: string[] = [];
  try {
    names = anyIntl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    /* an older browser: the two below */
  }
  for (const z of ["UTC", browserZone]) if (!names.includes(z)) names.unshift(z);
  return names;
}
