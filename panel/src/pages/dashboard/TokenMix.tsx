// Today's tokens by kind: one stacked bar and its legend.
import type { DashboardSummary } from "../../api/types";
import { t, type MessageKey } from "../../i18n/i18n";
import { fmtCompact, fmtPct } from "../../lib/format";
import { Empty } from "../../components/ui";

export function TokenMix({ mix }: { mix: DashboardSummary["token_mix"] }) {
  const total = mix.reduce((a, m) => a + m.tokens, 0);
  if (!total) return <Empty />;
  return (
    <div class="mix">
      <div class="mix-bar" role="img" aria-label={t("dash.tokenMix")}>
        {mix.map((m) => (
          <span class={"mix-" + m.key} style={{ width: m.share * 100 + "%" }} />
        ))}
      </div>
      <ul class="legend">
        {mix.map((m) => (
          <li>
            <span class={"swatch mix-" + m.key} />
            <span>{t(("tok." + m.key) as MessageKey)}</span>
            <span class="num">{fmtCompact(m.tokens)}</span>
            <span class="muted num">{fmtPct(m.share)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
