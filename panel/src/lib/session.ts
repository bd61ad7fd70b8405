// The admin key of this browser tab: sessionStorage by default, localStorage when "remember me" was ticked.
import { signal } from "@preact/signals";

const KEY = "cpamd.session";

export interface Session {
  key: string;
  remember: boolean;
}

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return typeof s.key === "string" && s.key ? s : null;
  } catch {
    return null;
  }
}

export const session = signal<Session | null>(load());
/** Why the last session ended ("expired" after a 401), shown once on the login screen. */
export const logoutReason = signal<"" | "expired" | "manual">("");

export function login(key: string, remember: boolean) {
  const s: Session = { key, remember };
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
  (remember ? localStorage : sessionStorage).setItem(KEY, JSON.stringify(s));
  logoutReason.value = "";
  session.value = s;
}

export function logout(reason: "expired" | "manual") {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
  if (session.value) logoutReason.value = reason;
  session.value = null;
}
