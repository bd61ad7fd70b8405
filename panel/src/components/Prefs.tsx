// Language and theme switches (header and login screens).
import { lang, setLang, t } from "../i18n/i18n";
import { theme, toggleTheme } from "../lib/theme";
import { Icon } from "./Icon";

export function Prefs() {
  const dark = theme.value === "dark";
  return (
    <div class="prefs">
      <label class="sr-only" for="lang-select">
        {t("prefs.language")}
      </label>
      <select
        id="lang-select"
        class="select-small"
        value={lang.value}
        onChange={(e) => setLang((e.target as HTMLSelectElement).value as "en" | "zh-CN")}
      >
        <option value="en">English</option>
        <option value="zh-CN">简体中文</option>
      </select>
      <button
        type="button"
        class="icon-btn"
        onClick={toggleTheme}
        aria-label={dark ? t("prefs.lightTheme") : t("prefs.darkTheme")}
        title={dark ? t("prefs.lightTheme") : t("prefs.darkTheme")}
        data-testid="theme-toggle"
      >
        <Icon name={dark ? "sun" : "moon"} />
      </button>
    </div>
  );
}
