// Small pieces the alert tables share: the on/off box, edit and remove buttons, the level badge.
import type { AlertLevel } from "../../api/types";
import { t, type MessageKey } from "../../i18n/i18n";
import { Icon } from "../../components/Icon";

export function OnToggle(p: {
  on: boolean;
  label: string;
  disabled: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <input
      type="checkbox"
      class="on-toggle"
      checked={p.on}
      aria-label={p.label}
      title={p.label}
      disabled={p.disabled}
      onChange={(e) => p.onChange((e.target as HTMLInputElement).checked)}
    />
  );
}

/** Edit (or, read-only, view) and remove. */
export function RowActions(p: { id: string; readOnly: boolean; onEdit: () => void; onRemove: () => void }) {
  const edit = p.readOnly ? t("alerts.view", { id: p.id }) : t("alerts.edit", { id: p.id });
  return (
    <span class="row-actions">
      <button
        class="icon-btn tiny"
        type="button"
        aria-label={edit}
        title={edit}
        onClick={p.onEdit}
        data-testid="edit"
      >
        <Icon name="edit" size={14} />
      </button>
      {!p.readOnly && (
        <button
          class="icon-btn tiny"
          type="button"
          aria-label={t("alerts.remove", { id: p.id })}
          title={t("alerts.remove", { id: p.id })}
          onClick={p.onRemove}
          data-testid="remove"
        >
          <Icon name="trash" size={14} />
        </button>
      )}
    </span>
  );
}

const LEVEL_TONE: Record<string, string> = { warning: "warn", critical: "bad" };

export function LevelBadge({ level }: { level: AlertLevel | string }) {
  const known = level === "warning" || level === "critical";
  return (
    <span class={"badge " + (LEVEL_TONE[level] ?? "")}>
      {known ? t(("alerts.level." + level) as MessageKey) : level || "–"}
    </span>
  );
}
