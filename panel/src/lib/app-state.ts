// What the app shows at the top level, decided from /usage-service/info and the session.
import { signal } from "@preact/signals";
import { get } from "../api/client";
import type { ConfigAnswer, Info } from "../api/types";
import { session } from "./session";
import { go } from "./router";

export const info = signal<Info | null>(null);
export const bootError = signal<unknown>(null);
/** CPA could not be reached when we logged in: the connection settings are where to go. */
export const recovery = signal(false);

export const needsSetup = (i: Info) => i.setupRequired || (i.projectInitialized ?? i.configured) !== true;

export async function loadInfo() {
  bootError.value = null;
  try {
    info.value = await get<Info>("/usage-service/info");
  } catch (e) {
    bootError.value = e;
  }
}

/** After a login: is CPA reachable? The config answer has `cpaUsage` only when cpamd could ask CPA. */
export async function checkConnection(landOnSettings: boolean) {
  if (!session.value) return;
  try {
    const c = await get<ConfigAnswer>("/usage-service/config");
    recovery.value = !!c.config.cpaConnection?.cpaBaseUrl && !c.cpaUsage;
  } catch {
    recovery.value = true;
  }
  if (recovery.value && landOnSettings) go("settings");
}
