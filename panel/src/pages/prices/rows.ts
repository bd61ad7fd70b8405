// A price row as the editor holds it: the stored price plus the texts typed into its rate inputs.
import type { Price } from "../../api/types";

export type Rate = "prompt" | "completion" | "cacheRead" | "cacheCreation";

export const RATES: Rate[] = ["prompt", "completion", "cacheRead", "cacheCreation"];

export interface Row {
  model: string;
  price: Price;
  /** Input texts while editing, so "0." can be typed. */
  text: Record<Rate, string>;
}

export function rateValue(p: Price, r: Rate): number | undefined {
  const flag = p[r + "Configured"];
  const v = p[r] as number | undefined;
  if (r === "prompt" || r === "completion") return flag === false && !v ? undefined : v;
  return flag ? v : undefined;
}

export function toRow(model: string, price: Price): Row {
  const text = {} as Record<Rate, string>;
  for (const r of RATES) {
    const v = rateValue(price, r);
    text[r] = v === undefined ? "" : String(v);
  }
  return { model, price, text };
}

/** The price object to store for an edited row: rates from the inputs, everything else kept. */

export function fromRow(row: Row): Price {
  const p: Price = { ...row.price };
  for (const r of RATES) {
    const s = row.text[r].trim();
    if (s === "") {
      if (r === "prompt" || r === "completion") p[r] = 0;
      else delete p[r];
      p[r + "Configured"] = false;
    } else {
      p[r] = Number(s);
      p[r + "Configured"] = true;
    }
  }
  p.cache = p.cache ?? 0;
  return p;
}
