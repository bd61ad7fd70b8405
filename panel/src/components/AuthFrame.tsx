// The centred frame of the login and setup screens, with the language and theme switches.
import type { ComponentChildren } from "preact";
import { Prefs } from "./Prefs";
import { t } from "../i18n/i18n";

export function AuthFrame(props: {
  title: string;
  subtitle?: string;
  children: ComponentChildren;
  wide?: boolean;
}) {
  return (
    <div class="auth">
      <div class="auth-top">
        <span class="brand">
          <Logo /> cpamd
        </span>
        <Prefs />
      </div>
      <main class={"auth-card" + (props.wide ? " wide" : "")}>
        <h1>{props.title}</h1>
        {props.subtitle && <p class="muted">{props.subtitle}</p>}
        {props.children}
      </main>
      <p class="auth-foot muted">{t("app.tagline")}</p>
    </div>
  );
}

export function Logo() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true">
      <rect x="2" y="2" width="20" height="20" rx="5" fill="var(--accent)" />
      <path
        d="M7 15l3-4 3 3 4-6"
        fill="none"
        stroke="#fff"
        stroke-width="2"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}
