// The panel's frame: a side navigation (a drawer on phones), the page title bar, and the page.
import { useEffect, useState } from "preact/hooks";
import { route, go, PAGES, type Page } from "../lib/router";
import { t, type MessageKey } from "../i18n/i18n";
import { logout } from "../lib/session";
import { recovery, info, checkConnection } from "../lib/app-state";
import { Icon } from "./Icon";
import { Prefs } from "./Prefs";
import { Logo } from "./AuthFrame";
import { Dashboard } from "../pages/Dashboard";
import { Monitoring } from "../pages/Monitoring";
import { Alerts } from "../pages/Alerts";
import { Analytics } from "../pages/Analytics";
import { Prices } from "../pages/Prices";
import { DataPage } from "../pages/Data";
import { Settings } from "../pages/Settings";

const views: Record<Page, () => preact.JSX.Element> = {
  dashboard: Dashboard,
  monitoring: Monitoring,
  alerts: Alerts,
  analytics: Analytics,
  prices: Prices,
  data: DataPage,
  settings: Settings,
};

export function Layout() {
  const [open, setOpen] = useState(false);
  const page = route.value;
  const View = views[page];

  useEffect(() => {
    void checkConnection(false);
  }, []);
  useEffect(() => {
    document.title = `${t(("nav." + page) as MessageKey)} · cpamd`;
  });

  return (
    <div class={"shell" + (open ? " nav-open" : "")}>
      <a class="skip" href="#main">
        {t("nav.skip")}
      </a>
      <nav class="side" aria-label={t("nav.label")}>
        <div class="side-brand">
          <Logo /> <span>cpamd</span>
          <button
            class="icon-btn nav-close"
            type="button"
            onClick={() => setOpen(false)}
            aria-label={t("nav.close")}
          >
            <Icon name="close" />
          </button>
        </div>
        <ul>
          {PAGES.map((p) => (
            <li>
              <a
                href={"#/" + p}
                class={p === page ? "active" : ""}
                aria-current={p === page ? "page" : undefined}
                onClick={() => setOpen(false)}
                data-testid={"nav-" + p}
              >
                <Icon name={p} />
                <span>{t(("nav." + p) as MessageKey)}</span>
              </a>
            </li>
          ))}
        </ul>
        <div class="side-foot muted">
          {info.value?.implementation ?? "cpamd"} {info.value?.version ?? ""}
        </div>
      </nav>
      <div class="scrim" onClick={() => setOpen(false)} />
      <div class="main-col">
        <header class="topbar">
          <button
            class="icon-btn nav-open-btn"
            type="button"
            onClick={() => setOpen(true)}
            aria-label={t("nav.open")}
          >
            <Icon name="menu" />
          </button>
          <h1 class="page-title">{t(("nav." + page) as MessageKey)}</h1>
          <div class="topbar-right">
            <Prefs />
            <button
              class="icon-btn"
              type="button"
              onClick={() => logout("manual")}
              aria-label={t("nav.logout")}
              title={t("nav.logout")}
              data-testid="logout"
            >
              <Icon name="logout" />
            </button>
          </div>
        </header>
        {recovery.value && (
          <div class="banner" role="status" data-testid="recovery-banner">
            <Icon name="alert" /> <span>{t("recovery.banner")}</span>
            {page !== "settings" && (
              <button class="btn btn-small" type="button" onClick={() => go("settings")}>
                {t("recovery.open")}
              </button>
            )}
          </div>
        )}
        <main id="main" class="content" tabIndex={-1}>
          <View />
        </main>
      </div>
    </div>
  );
}
