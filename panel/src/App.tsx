// Top level: loading → (setup wizard | login | the panel), following /usage-service/info and the session.
import { info, bootError, loadInfo, needsSetup } from "./lib/app-state";
import { session } from "./lib/session";
import { t } from "./i18n/i18n";
import { ErrorNote, Loading } from "./components/ui";
import { Wizard } from "./pages/Wizard";
import { Login } from "./pages/Login";
import { Layout } from "./components/Layout";
import { AuthFrame } from "./components/AuthFrame";

export function App() {
  const i = info.value;
  if (!i) {
    return (
      <AuthFrame title={t("app.name")}>
        {bootError.value ? (
          <ErrorNote error={bootError.value} onRetry={() => void loadInfo()} />
        ) : (
          <Loading />
        )}
      </AuthFrame>
    );
  }
  if (needsSetup(i)) return <Wizard />;
  if (!session.value) return <Login />;
  return <Layout />;
}
