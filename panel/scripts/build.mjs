// Builds management.html with Vite, then prints its raw and gzipped size and fails above the budget.
// Usage: npm run build [-- --outDir <dir> [--emptyOutDir]]
import { build } from "vite";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const BUDGET_GZIP_BYTES = 150 * 1024;
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const args = process.argv.slice(2);
// A relative --outDir is taken from where the command was typed (npm runs scripts inside panel/).
const cwd = process.env.INIT_CWD || process.cwd();
let outDir = resolve(root, "dist");
// Only dist/ is emptied by default: another --outDir is emptied only when --emptyOutDir says so.
let emptyOutDir = null;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--outDir") outDir = resolve(cwd, args[++i]);
  else if (a.startsWith("--outDir=")) outDir = resolve(cwd, a.slice(9));
  else if (a === "--emptyOutDir") emptyOutDir = true;
  else {
    console.error(`build: unknown argument ${a}`);
    process.exit(2);
  }
}

if (emptyOutDir === null) emptyOutDir = outDir === resolve(root, "dist");
await build({ root, logLevel: "warn", build: { outDir, emptyOutDir } });

const file = resolve(outDir, "management.html");
const raw = readFileSync(file);
const gz = gzipSync(raw, { level: 9 }).length;
const kb = (n) => (n / 1024).toFixed(1) + " KB";
console.log(`panel: ${file}`);
console.log(`panel: ${kb(raw.length)} raw, ${kb(gz)} gzipped (budget ${kb(BUDGET_GZIP_BYTES)})`);
if (gz > BUDGET_GZIP_BYTES) {
  console.error("panel: over the gzip budget, build failed");
  process.exit(1);
}
