// Sink kinds: their fields, the defaults of a new sink and what the table shows as its target.
import type { AlertSink, AlertSinkKind } from "../../api/types";
import { t, type MessageKey } from "../../i18n/i18n";
import { freeId, type FieldSpec } from "./spec";

export const SINK_KINDS: readonly AlertSinkKind[] = ["webhook", "slack", "telegram", "ntfy", "smtp"];

export const SINK_FIELDS: Record<AlertSinkKind, FieldSpec[]> = {
  webhook: [
    { key: "url", type: "text", label: "alerts.f.url", wide: true },
    { key: "headers", type: "headers", label: "alerts.f.headers", optional: true, wide: true },
  ],
  slack: [{ key: "url", type: "secret", label: "alerts.f.slackUrl", wide: true }],
  telegram: [
    { key: "botToken", type: "secret", label: "alerts.f.botToken", wide: true },
    { key: "chatId", type: "text", label: "alerts.f.chatId" },
  ],
  ntfy: [
    { key: "url", type: "text", label: "alerts.f.ntfyUrl", hint: "alerts.f.ntfyHint", wide: true },
    { key: "token", type: "secret", label: "alerts.f.ntfyToken", optional: true, wide: true },
  ],
  smtp: [
    { key: "host", type: "text", label: "alerts.f.host" },
    { key: "port", type: "int", label: "alerts.f.port", min: 1, max: 65535 },
    {
      key: "security",
      type: "select",
      label: "alerts.f.security",
      options: ["starttls", "tls", "none"],
      optionText: "alerts.security.",
    },
    { key: "username", type: "text", label: "alerts.f.username", optional: true },
    { key: "password", type: "secret", label: "alerts.f.password", optional: true },
    { key: "from", type: "text", label: "alerts.f.from" },
    { key: "to", type: "list", label: "alerts.f.to", hint: "alerts.f.toHint", wide: true },
  ],
};

const DEFAULTS: Record<AlertSinkKind, Partial<AlertSink>> = {
  webhook: { url: "", headers: {} },
  slack: { url: "" },
  telegram: { botToken: "", chatId: "" },
  ntfy: { url: "https://ntfy.sh/", token: "" },
  smtp: { host: "", port: 587, security: "starttls", username: "", password: "", from: "", to: [] },
};

export function newSink(kind: AlertSinkKind, taken: readonly string[]): AlertSink {
  return { id: freeId(kind === "smtp" ? "mail" : kind, taken), kind, ...DEFAULTS[kind] };
}

const PORTS: Record<string, number> = { starttls: 587, tls: 465, none: 25 };

/** After a field changed: a standard SMTP port follows the security chosen. */
export function adjustSink(s: AlertSink, key: string): AlertSink {
  if (s.kind === "smtp" && key === "security" && Object.values(PORTS).includes(s.port ?? 0))
    return { ...s, port: PORTS[s.security ?? ""] ?? s.port };
  return s;
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
    case "telegram":
      return t("alerts.sum.chat", { id: s.chatId ?? "–" });
    case "smtp":
      return t("alerts.sum.mail", { to: (s.to ?? []).join(", "), host: `${s.host ?? ""}:${s.port ?? ""}` });
    default:
      return s.url ?? "";
  }
}
