// t(key, params): English and Simplified Chinese catalogs, both checked by the compiler to hold every key.
import { signal, effect } from "@preact/signals";
import { en } from "./en";
import { zh } from "./zh";
import { readPref, writePref } from "../lib/prefs";

export type Lang = "en" | "zh-CN";
export type MessageKey = keyof typeof en;

const catalogs: Record<Lang, Record<MessageKey, string>> = { en, "zh-CN": zh };

function initial(): Lang {
  const saved = readPref("lang");
  if (saved === "en" || saved === "zh-CN") return saved;
  return /^zh/i.test(navigator.language) ? "zh-CN" : "en";
}

export const lang = signal<Lang>(initial());
effect(() => {
  document.documentElement.lang = lang.value;
});

export function setLang(l: Lang) {
  lang.value = l;
  writePref("lang", l);
}

/** The message for `key` in the current language, with `{name}` replaced from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  let s = catalogs[lang.value][key] ?? en[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  return s;
}
