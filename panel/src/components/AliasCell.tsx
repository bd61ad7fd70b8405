// An API key's alias, editable in place (PUT /api-key-aliases; an empty alias deletes it).
import { useState } from "preact/hooks";
import { del, put } from "../api/client";
import { t } from "../i18n/i18n";
import { errorText } from "../lib/errors";
import { shortHash } from "../lib/format";
import { Icon } from "./Icon";

export function AliasCell(props: { hash: string; alias: string; onSaved: (alias: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(props.alias);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  if (!props.hash) return <span class="muted">{t("mon.noKey")}</span>;
  if (!editing) {
    return (
      <span class="alias">
        <span class={props.alias ? "" : "muted mono"} title={props.hash}>
          {props.alias || shortHash(props.hash)}
        </span>
        <button
          class="icon-btn tiny"
          type="button"
          onClick={(e) => {
            e.stopPropagation();
            setValue(props.alias);
            setEditing(true);
          }}
          aria-label={t("mon.editAlias")}
          title={t("mon.editAlias")}
          data-testid="alias-edit"
        >
          <Icon name="edit" size={14} />
        </button>
      </span>
    );
  }
  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    const alias = value.trim();
    try {
      if (alias) await put("/v0/management/api-key-aliases", { items: [{ apiKeyHash: props.hash, alias }] });
      else await del("/v0/management/api-key-aliases/" + props.hash);
      props.onSaved(alias);
      setEditing(false);
    } catch (err) {
      setError(errorText(err));
    }
    setBusy(false);
  }
  return (
    <form class="alias-form" onSubmit={save} onClick={(e) => e.stopPropagation()}>
      <input
        value={value}
        maxLength={120}
        autoFocus
        aria-label={t("mon.aliasFor", { hash: shortHash(props.hash) })}
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => e.key === "Escape" && (e.stopPropagation(), setEditing(false))}
        data-testid="alias-input"
      />
      <button class="icon-btn tiny" type="submit" disabled={busy} aria-label={t("common.save")}>
        <Icon name="check" size={14} />
      </button>
      <button
        class="icon-btn tiny"
        type="button"
        onClick={() => setEditing(false)}
        aria-label={t("common.cancel")}
      >
        <Icon name="close" size={14} />
      </button>
      {error && (
        <span class="field-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
