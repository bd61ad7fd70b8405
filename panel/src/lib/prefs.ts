// Small preferences kept in localStorage (theme, language, time zone).
export function readPref(name: string): string | null {
  try {
    return localStorage.getItem("cpamd." + name);
  } catch {
    return null;
  }
}

export function writePref(name: string, value: string | null) {
  try {
    if (value === null) localStorage.removeItem("cpamd." + name);
    else localStorage.setItem("cpamd." + name, value);
  } catch {
    /* private mode: preferences just do not persist */
  }
}
