// Starts cpa-sim and a fresh cpamd on free ports with a throwaway data dir, and stops them again.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");

export const CPAMD_BIN = process.env.CPAMD_BIN || join(repo, "build/release/bin/cpamd");
export const CPA_SIM_BIN = process.env.CPA_SIM_BIN || join(repo, "build/release/bin/cpa-sim");
export const PANEL_FILE = process.env.PANEL_FILE || join(repo, "panel/dist/management.html");

function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

async function waitFor(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${last ? ": " + last.message : ""}`);
}

/**
 * cpa-sim generates `total` records at `rate`/s; cpamd starts unconfigured (the wizard's job) unless
 * `envManaged` points it at the simulator through the environment.
 */
export async function startStack({ adminKey, simKey, rate = 20, total = 0, envManaged = false }) {
  const dir = mkdtempSync(join(tmpdir(), "cpamd-panel-test-"));
  const simPort = await freePort();
  const httpPort = await freePort();
  const children = [];
  // A binary that cannot start (missing, being relinked) must fail the run, not leave a child behind.
  let spawnError = null;
  const track = (child) => child.on("error", (e) => (spawnError = e));
  const logs = { sim: "", cpamd: "" };
  const sim = spawn(
    CPA_SIM_BIN,
    [
      "--listen",
      `127.0.0.1:${simPort}`,
      "--management-key",
      simKey,
      "--usage-statistics-enabled",
      "true",
      "--rate",
      String(rate),
      ...(total ? ["--total", String(total)] : []),
      "--seed",
      "7",
      "--control-key",
      "ctl",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(sim);
  track(sim);
  sim.stdout.on("data", (d) => (logs.sim += d));
  sim.stderr.on("data", (d) => (logs.sim += d));
  await waitFor(() => {
    if (spawnError) throw spawnError;
    return logs.sim.includes("cpa-sim listening on");
  }, "cpa-sim");

  const env = {
    ...process.env,
    HTTP_ADDR: `127.0.0.1:${httpPort}`,
    USAGE_DATA_DIR: join(dir, "data"),
    CPA_MANAGER_ADMIN_KEY: adminKey,
    CPAMD_LOG_LEVEL: "warn",
    CPAMD_AUTH_MAX_FAILURES: "1000",
    CPAMD_PRICES_MODELS_DEV_URL: "off",
    CPAMD_PRICES_LITELLM_URL: "off",
    CPAMD_PRICES_OPENROUTER_URL: "off",
    // Small chunks, so an import of a few hundred kilobytes shows a real progress bar.
    USAGE_IMPORT_CHUNK_BYTES: "65536",
  };
  // PANEL_FILE=embedded tests the panel built into cpamd (with its full Content-Security-Policy).
  if (PANEL_FILE !== "embedded") env.PANEL_PATH = PANEL_FILE;
  if (envManaged) {
    env.CPA_UPSTREAM_URL = `http://127.0.0.1:${simPort}`;
    env.CPA_MANAGEMENT_KEY = simKey;
  }
  const cpamd = spawn(CPAMD_BIN, ["serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(cpamd);
  track(cpamd);
  cpamd.stdout.on("data", (d) => (logs.cpamd += d));
  cpamd.stderr.on("data", (d) => (logs.cpamd += d));
  const base = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor(async () => {
      if (spawnError) throw spawnError;
      if (cpamd.exitCode !== null) throw new Error(`cpamd exited ${cpamd.exitCode}:\n${logs.cpamd}`);
      return (await fetch(base + "/health")).ok;
    }, "cpamd /health");
  } catch (e) {
    for (const c of children) c.kill("SIGKILL");
    throw e;
  }

  return {
    base,
    simUrl: `http://127.0.0.1:${simPort}`,
    logs,
    async sim(path, body) {
      const res = await fetch(`http://127.0.0.1:${simPort}/_sim/${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { Authorization: "Bearer ctl" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return res.json();
    },
    async stopSim() {
      if (sim.exitCode === null) {
        sim.kill("SIGTERM");
        await new Promise((r) => sim.on("exit", r));
      }
    },
    async stop() {
      for (const c of children.reverse()) {
        if (c.exitCode === null) {
          c.kill("SIGTERM");
          await new Promise((r) => {
            const t = setTimeout(() => (c.kill("SIGKILL"), r()), 5000);
            c.on("exit", () => (clearTimeout(t), r()));
          });
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { waitFor };
