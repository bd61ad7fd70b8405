// Turns an ApiError into plain words: a known code gets a sentence, anything else the server's own message.
import { ApiError } from "../api/client";
import { t, type MessageKey } from "../i18n/i18n";

const known: Record<string, MessageKey> = {
  network: "err.network",
  invalid_admin_key: "err.invalid_admin_key",
  too_many_auth_failures: "err.rate_limited",
  http_429: "err.rate_limited",
  management_api_validation_failed: "err.management_api_validation_failed",
  invalid_existing_management_key: "err.invalid_existing_management_key",
  poll_interval_exceeds_retention: "err.poll_interval_exceeds_retention",
  cpa_connection_required: "err.cpa_connection_required",
  cpa_connection_required_for_monitoring: "err.cpa_connection_required",
  connection_env_managed: "err.env_managed",
  setup_env_managed: "err.env_managed",
  enable_cpa_usage_statistics_failed: "err.enable_stats_failed",
  usage_service_not_configured: "err.not_configured",
  api_key_alias_duplicate: "err.alias_duplicate",
  model_price_sync_failed: "err.sync_failed",
  invalid_alerts: "err.invalid_alerts",
  alerts_managed_by_file: "err.alerts_file",
};

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const key = known[e.code];
    const detail = e.message && e.message !== e.code ? e.message : "";
    if (key) return detail && e.code !== "network" ? `${t(key)} (${detail})` : t(key);
    return detail ? `${t("err.server")}: ${detail}` : t("err.status", { status: e.status });
  }
  return e instanceof Error ? e.message : String(e);
}
