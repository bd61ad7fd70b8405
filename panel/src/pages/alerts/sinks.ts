// Sink kinds: their fields, the defaults of a new sink and what the table shows as its target.
import type { AlertSink, AlertSinkKind } from "../../api/types";
import { t, type MessageKey } from "../../i18n/i18n";
import { freeId, type FieldSpec } from "./spec";

const TELEGRAM_API = "https://api.telegram.org";

export const SINK_KINDS: readonly AlertSinkKind[] = ["webhook", "slack", "telegram", "ntfy", "smtp"];

export const SINK_FIELDS: Record<AlertSinkKind, FieldSpec[]> = {
  webhook: [
    { key: "url", type: "text", label: "alerts.f.url", url: true, wide: true },
    { key: "headers", type: "headers", label: "alerts.f.headers", optional: true, wide: true },
  ],
  slack: [{ key: "url", type: "secret", label: "alerts.f.slackUrl", wide: true }],
  telegram: [
    { key: "botToken", type: "secret", label: "alerts.f.botToken", wide: true },
    { key: "chatId", type: "text", label: "alerts.f.chatId", maxLen: 128 },
    {
      key: "apiBase",
      type: "text",
      label: "alerts.f.apiBase",
      hint: "alerts.f.apiBaseHint",
      placeholder: TELEGRAM_API,
      optional: true,
      omitEmpty: true,
      url: true,
      wide: true,
      advanced: true,
    },
  ],
  ntfy: [
    { key: "url", type: "text", label: "alerts.f.ntfyUrl", hint: "alerts.f.ntfyHint", url: true, wide: true },
    { key: "token", type: "secret", label: "alerts.f.ntfyToken", optional: true, wide: true },
  ],
  smtp: [
    { key: "host", type: "text", label: "alerts.f.host", maxLen: 253, wide: true },
    {
      key: "security",
      type: "select",
      label: "alerts.f.security",
      options: ["starttls", "tls", "none"],
      optionText: "alerts.security.",
    },
    { key: "port", type: "int", label: "alerts.f.port", hint: "alerts.f.portHint", min: 1, max: 65535 },
    { key: "username", type: "text", label: "alerts.f.username", optional: true, maxLen: 320 },
    { key: "password", type: "secret", label: "alerts.f.password", optional: true },
    { key: "from", type: "text", label: "alerts.f.from", maxLen: 320, wide: true },
    { key: "to", type: "list", label: "alerts.f.to", hint: "alerts.f.toHint", max: 20, wide: true },
  ],
};

export const SINK_NAME: FieldSpec = {
  key: "name",
  type: "text",
  label: "alerts.f.name",
  optional: true,
  omitEmpty: true,
  maxLen: 200,
  wide: true,
};

export const sinkFields = (kind: AlertSinkKind): FieldSpec[] => [SINK_NAME, ...(SINK_FIELDS[kind] ?? [])];

// As the server answers them, so what the page sends is what it gets back.
const DEFAULTS: Record<AlertSinkKind, Partial<AlertSink>> = {
  webhook: { url: "", headers: {} },
  slack: { url: "" },
  telegram: { botToken: "", chatId: "", apiBase: TELEGRAM_API },
  ntfy: { url: "https://ntfy.sh/", token: "" },
  smtp: { host: "", port: 587, security: "starttls", username: "", password: "", from: "", to: [] },
};

export function newSink(kind: AlertSinkKind, taken: readonly string[]): AlertSink {
  return { id: freeId(kind === "smtp" ? "mail" : kind, taken), kind, ...DEFAULTS[kind] };
}

const PORTS: Record<string, number> = { starttls: 587, tls: 465, none: 25 };

/**
 * After a field changed: the SMTP port follows the security chosen (587, 465, 25) unless a port was typed in
 * this form, or the stored one is not a standard one.
 */
export function adjustSink(s: AlertSink, key: string, touched: ReadonlySet<string>): AlertSink {
  if (s.kind !== "smtp" || key !== "security" || touched.has("port")) return s;
  const standard = s.port === undefined || Object.values(PORTS).includes(s.port);
  return standard && PORTS[s.security ?? ""] ? { ...s, port: PORTS[s.security ?? ""] } : s;
}

export const sinkKindName = (kind: string) =>
  (SINK_KINDS as readonly string[]).includes(kind) ? t(("alerts.sink." + kind) as MessageKey) : kind;

/** Where the sink sends to, secrets as the server masked them. */
export function sinkTarget(s: AlertSink): string {
  switch (s.kind) {
    case "webhook": {
      const names = Object.keys(s.headers ?? {}).join(", ");
      return names ? `${s.url ?? ""} · ${t("alerts.sum.headers", { names })}` : (s.url ?? "");
    }
    case "telegram": {
      const chat = t("alerts.sum.chat", { id: s.chatId ?? "–" });
      return s.apiBase && s.apiBase !== TELEGRAM_API ? `${chat} · ${s.apiBase}` : chat;
    }
    case "smtp":
      return t("alerts.sum.mail", { to: (s.to ?? []).join(", "), host: `${s.host ?? ""}:${s.port ?? ""}` });
    default:
      return s.url ?? "";
  }
}
