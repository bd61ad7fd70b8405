// Light/dark: the system preference, or the user's pick (remembered); "system" goes back to following it.
import { signal, computed, effect } from "@preact/signals";
import { readPref, writePref } from "./prefs";

export type ThemeChoice = "system" | "light" | "dark";
const THEME_CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];

const media = matchMedia("(prefers-color-scheme: dark)");
const system = signal<"light" | "dark">(media.matches ? "dark" : "light");
media.addEventListener("change", () => (system.value = media.matches ? "dark" : "light"));

const saved = readPref("theme");
export const themeChoice = signal<ThemeChoice>(saved === "light" || saved === "dark" ? saved : "system");

/** The theme in effect. */
export const theme = computed<"light" | "dark">(() =>
  themeChoice.value === "system" ? system.value : themeChoice.value,
);
effect(() => {
  document.documentElement.dataset.theme = theme.value;
});

export function setThemeChoice(choice: ThemeChoice) {
  themeChoice.value = choice;
  // "system" is the absence of a choice, so a later change of the system's theme is followed again.
  writePref("theme", choice === "system" ? null : choice);
}

/** The header's cycle button goes system → light → dark → system. */
export const nextThemeChoice = (c: ThemeChoice) => THEME_CHOICES[(THEME_CHOICES.indexOf(c) + 1) % 3];
export const cycleTheme = () => setThemeChoice(nextThemeChoice(themeChoice.value));

/** A CSS custom property's value, for canvas drawing (uPlot cannot read CSS). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
