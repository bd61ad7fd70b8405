// Login with the admin key; checked against an admin route before it is kept.
import { useState } from "preact/hooks";
import { get } from "../api/client";
import { t } from "../i18n/i18n";
import { login, logoutReason } from "../lib/session";
import { checkConnection } from "../lib/app-state";
import { AuthFrame } from "../components/AuthFrame";
import { ErrorNote } from "../components/ui";
import { InputField, Check } from "../components/fields";

export function Login() {
  const [key, setKey] = useState("");
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const k = key.trim();
    if (!k) return;
    setBusy(true);
    setError(null);
    try {
      await get("/status", { key: k });
      login(k, remember);
      await checkConnection(true);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <AuthFrame title={t("login.title")} subtitle={t("login.subtitle")}>
      {logoutReason.value === "expired" && <div class="note">{t("login.expired")}</div>}
      <form onSubmit={submit} class="form" data-testid="login-form">
        <InputField
          label={t("login.adminKey")}
          type="password"
          autoComplete="current-password"
          value={key}
          onValue={setKey}
          required
          autoFocus
          name="admin-key"
        />
        <Check label={t("login.remember")} checked={remember} onChecked={setRemember} />
        <p class="hint">{t("login.rememberHint")}</p>
        <ErrorNote error={error} />
        <button class="btn btn-primary" type="submit" disabled={busy || !key.trim()}>
          {busy ? t("login.checking") : t("login.submit")}
        </button>
      </form>
    </AuthFrame>
  );
}
