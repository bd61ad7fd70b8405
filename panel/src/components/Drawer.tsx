// A side sheet for details: Escape or the close button closes it; focus goes in and comes back.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n/i18n";
import { Icon } from "./Icon";

export function Drawer(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  testid?: string;
}) {
  const closeBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    closeBtn.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    addEventListener("keydown", onKey);
    return () => {
      removeEventListener("keydown", onKey);
      before?.focus?.();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div class="drawer-wrap">
      <div class="drawer-scrim" onClick={props.onClose} />
      <aside
        class="drawer"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid={props.testid}
      >
        <header class="drawer-head">
          <h2>{props.title}</h2>
          <button
            ref={closeBtn}
            class="icon-btn"
            type="button"
            onClick={props.onClose}
            aria-label={t("common.close")}
          >
            <Icon name="close" />
          </button>
        </header>
        <div class="drawer-body">{props.children}</div>
      </aside>
    </div>
  );
}
