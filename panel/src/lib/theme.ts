// Light/dark: the system preference until the user picks one with the toggle (remembered).
import { signal, effect } from "@preact/signals";
import { readPref, writePref } from "./prefs";

const media = matchMedia("(prefers-color-scheme: dark)");
const chosen = signal<"light" | "dark" | null>(readPref("theme") as "light" | "dark" | null);
const system = signal<"light" | "dark">(media.matches ? "dark" : "light");
media.addEventListener("change", () => (system.value = media.matches ? "dark" : "light"));

export const theme = signal<"light" | "dark">(chosen.value ?? system.value);
effect(() => {
  theme.value = chosen.value ?? system.value;
});
effect(() => {
  document.documentElement.dataset.theme = theme.value;
});

export function toggleTheme() {
  chosen.value = theme.value === "dark" ? "light" : "dark";
  writePref("theme", chosen.value);
}

/** A CSS custom property's value, for canvas drawing (uPlot cannot read CSS). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
