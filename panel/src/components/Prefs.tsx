// Language and theme switches (header and login screens).
import { lang, setLang, t, type MessageKey } from "../i18n/i18n";
import { themeChoice, cycleTheme, nextThemeChoice, type ThemeChoice } from "../lib/theme";
import { Icon, type IconName } from "./Icon";

const THEME_ICON: Record<ThemeChoice, IconName> = { system: "monitor", light: "sun", dark: "moon" };
const themeName = (c: ThemeChoice) => t(("prefs.theme." + c) as MessageKey);

export function Prefs() {
  const now = themeChoice.value;
  // One small button cycles system → light → dark; its label names the state and the next one.
  const label = t("prefs.theme", { name: themeName(now), next: themeName(nextThemeChoice(now)) });
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
        onClick={cycleTheme}
        aria-label={label}
        title={label}
        data-theme-choice={now}
        data-testid="theme-toggle"
      >
        <Icon name={THEME_ICON[now]} />
      </button>
    </div>
  );
}
