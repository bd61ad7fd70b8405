// Hash routes (#/dashboard, #/monitoring …): work from file:// too, and need nothing from the server.
import { signal } from "@preact/signals";

export const PAGES = [
  "dashboard",
  "monitoring",
  "alerts",
  "analytics",
  "prices",
  "data",
  "settings",
] as const;
export type Page = (typeof PAGES)[number];

function parse(): Page {
  const name = location.hash.replace(/^#\/?/, "").split("?")[0];
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : "dashboard";
}

export const route = signal<Page>(parse());
addEventListener("hashchange", () => (route.value = parse()));

/** The query part of the hash (#/monitoring?outcome=failed): how one page opens another pre-filtered. */
export function hashQuery(): URLSearchParams {
  return new URLSearchParams(location.hash.split("?")[1] ?? "");
}

export function go(page: Page) {
  if (route.value !== page || location.hash !== "#/" + page) location.hash = "#/" + page;
  route.value = page;
}
