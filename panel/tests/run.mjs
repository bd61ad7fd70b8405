// Browser suite: a real cpamd and cpa-sim, Debian's chromium through playwright-core.
// wizard → dashboard figures = API → every page → import with progress → a price edit changes the cost →
// alerts (a webhook test, SMTP and Telegram forms, a budget per API key and a failure rule per credential saved
// with every field, the drawers in dark / at phone width / in Chinese) →
// logout → wrong key → login → reload keeps the session → recovery mode; screenshots of every page.
import { chromium } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import { startStack, waitFor, PANEL_FILE } from "./harness.mjs";
import { alertsSteps } from "./alerts.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.SCREENSHOT_DIR || join(here, "..", "test-output", "screenshots");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const ADMIN = "panel-test-admin-key";
const SIM_KEY = "panel-test-sim-key";
const PAGES = ["dashboard", "monitoring", "alerts", "analytics", "prices", "data", "settings"];

if (PANEL_FILE !== "embedded" && !existsSync(PANEL_FILE)) {
  console.error(`no panel at ${PANEL_FILE}: run npm run build first`);
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });
// Files the test makes to import; removed at the end.
const work = mkdtempSync(join(tmpdir(), "cpamd-panel-files-"));

let passed = 0;
let failed = 0;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(
      `not ok - ${name}\n  ${String(e?.stack || e)
        .split("\n")
        .slice(0, 6)
        .join("\n  ")}`,
    );
  }
}
function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

const stack = await startStack({ adminKey: ADMIN, simKey: SIM_KEY, rate: 30 });
const api = async (method, path, body) => {
  const res = await fetch(stack.base + path, {
    method,
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

/** Today's export copied onto earlier days (fresh hashes and ids), as JSONL: new events to import. */
async function historyFile(firstDay, lastDay) {
  const res = await fetch(stack.base + "/v0/management/usage/export", {
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  const lines = (await res.text())
    .trim()
    .split("\n")
    .filter((l) => l && !l.includes('"request_id":"imp-'));
  let body = "";
  for (let day = firstDay; day <= lastDay; day++) {
    for (const [i, l] of lines.entries()) {
      if (i % 10 >= 3 + (day % 7)) continue; // a different volume each day
      const o = JSON.parse(l);
      o.timestamp_ms -= day * 86_400_000 + ((i * 7919) % 14) * 3_600_000;
      o.timestamp = new Date(o.timestamp_ms).toISOString();
      o.created_at_ms = o.timestamp_ms;
      o.event_hash = randomBytes(32).toString("hex");
      o.request_id = "imp-" + randomBytes(6).toString("hex");
      body += JSON.stringify(o) + "\n";
    }
  }
  return body;
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
const pageErrors = [];
const ctx = await browser.newContext({
  viewport: { width: 1280, height: 800 },
  colorScheme: "light",
  locale: "en-US",
});
const page = await ctx.newPage();
page.on("pageerror", (e) => pageErrors.push(String(e)));
page.on(
  "console",
  (m) => m.type() === "error" && !/Failed to load resource/.test(m.text()) && pageErrors.push(m.text()),
);
const shot = (name) => page.screenshot({ path: join(SHOTS, name + ".png"), fullPage: true });
const nav = async (p) => {
  await page.click(`[data-testid=nav-${p}]`);
  await page.waitForSelector(`[data-testid=page-${p}]`);
};

try {
  await step("GET / redirects to the panel and the wizard opens", async () => {
    await page.goto(stack.base + "/");
    expect(page.url().endsWith("/management.html"), "not redirected: " + page.url());
    await page.waitForSelector("[data-testid=wizard-adminKey]");
    await shot("wizard-desktop-light");
    for (const [theme, locale, suffix] of [
      ["dark", "en-US", "phone-dark"],
      ["light", "zh-CN", "phone-light-zh"],
    ]) {
      const c = await browser.newContext({
        viewport: { width: 375, height: 812 },
        colorScheme: theme,
        locale,
      });
      const p = await c.newPage();
      await p.goto(stack.base + "/management.html");
      await p.waitForSelector("[data-testid=wizard-adminKey]");
      await p.screenshot({ path: join(SHOTS, `wizard-${suffix}.png`) });
      await c.close();
    }
  });

  await step("wizard: a wrong admin key is refused at its step", async () => {
    await page.fill("input[name=admin-key]", "not-the-key");
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-testid=wizard-adminKey] [role=alert]");
    const text = await page.textContent("[role=alert]");
    expect(/admin key is not correct/i.test(text), "error text: " + text);
  });

  await step("wizard: a wrong CPA key comes back to the key step with CPA's error", async () => {
    await page.fill("input[name=admin-key]", ADMIN);
    await page.click("button[type=submit]");
    await page.fill("input[name=cpa-url]", stack.simUrl);
    await page.click("button[type=submit]");
    await page.fill("input[name=cpa-key]", "wrong-management-key");
    for (const s of ["cpaKey", "monitoring", "poll"]) {
      await page.waitForSelector(`[data-testid=wizard-${s}]`);
      await page.click("button[type=submit]");
    }
    await page.waitForSelector("[data-testid=wizard-review]");
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-testid=wizard-cpaKey] [role=alert]");
    const text = await page.textContent("[role=alert]");
    expect(/refused the connection check/i.test(text), "error text: " + text);
    await shot("wizard-error-desktop-light");
  });

  await step("wizard: finishing lands on the dashboard", async () => {
    await page.fill("input[name=cpa-key]", SIM_KEY);
    for (const s of ["cpaKey", "monitoring", "poll", "review"]) {
      await page.waitForSelector(`[data-testid=wizard-${s}]`);
      await page.click("button[type=submit]");
    }
    await page.waitForSelector("[data-testid=page-dashboard]");
    const info = await (await fetch(stack.base + "/usage-service/info")).json();
    expect(info.configured === true, "info still unconfigured");
  });

  // Let traffic flow in, then stop it so the figures hold still while they are compared.
  await waitFor(async () => (await api("GET", "/status")).events >= 150, "150 events", 30000);
  await stack.sim("pause", {});
  await waitFor(async () => (await stack.sim("stats")).queue_depth === 0, "queue drained", 10000);
  let stable = -1;
  await waitFor(
    async () => {
      const n = (await api("GET", "/status")).events;
      const same = n === stable;
      stable = n;
      return same;
    },
    "event count stable",
    10000,
  );

  const todayStart = await page.evaluate(() => {
    const d = new Date();
    return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  });
  const money = (n) =>
    new Intl.NumberFormat("en", {
      style: "currency",
      currency: "USD",
      minimumFractionDigits: 2,
      maximumFractionDigits: n !== 0 && Math.abs(n) < 1 ? 4 : 2,
    }).format(n);
  const dashboardMatchesApi = async () => {
    await page.click("[data-testid=page-dashboard] .page-bar button");
    await page.waitForTimeout(300);
    const s = await api(
      "GET",
      `/v0/management/dashboard/summary?today_start_ms=${todayStart}&now_ms=${Date.now()}`,
    );
    const calls = await page.textContent("[data-testid=kpi-calls]");
    const cost = await page.textContent("[data-testid=kpi-cost]");
    const rate = await page.textContent("[data-testid=kpi-success-rate]");
    expect(
      calls === new Intl.NumberFormat("en").format(s.today.total_calls),
      `calls ${calls} vs ${s.today.total_calls}`,
    );
    expect(cost === money(s.today.total_cost), `cost ${cost} vs ${s.today.total_cost}`);
    const pct = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 }).format(
      s.today.success_rate,
    );
    expect(rate === pct, `success rate ${rate} vs ${pct}`);
    const cells = await page.locator("[data-testid=health-strip] .cell").count();
    expect(cells === 144, "health cells: " + cells);
    return s;
  };
  let before;
  await step("dashboard: KPIs equal the API's answer", async () => {
    before = await dashboardMatchesApi();
    await shot("dashboard-desktop-light");
  });

  await step("dashboard: a recent failure opens its details in the drawer", async () => {
    const failure = before.recent_failures[0];
    expect(failure, "no failure today to open");
    await page.click(`[data-testid=recent-failures] button[data-id="${failure.id}"]`);
    await page.waitForSelector("[data-testid=event-drawer]");
    const drawer = await page.textContent("[data-testid=event-drawer]");
    expect(
      drawer.includes(`Failed ${failure.fail_status_code ?? ""}`) && drawer.includes(failure.model),
      `drawer does not show ${failure.fail_status_code} ${failure.model}`,
    );
    // The viewport only: a full-page shot of a scrolled page misplaces the fixed drawer.
    await page.screenshot({ path: join(SHOTS, "dashboard-failure-drawer-desktop-light.png") });
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-testid=event-drawer]", { state: "detached" });
  });

  await step("dashboard: chart legends show values only while hovering", async () => {
    const values = page.locator("[data-testid=chart-traffic] .u-legend .u-value");
    expect(!(await values.first().isVisible()), "legend values shown at rest");
    const over = page.locator("[data-testid=chart-traffic] .u-over");
    await over.scrollIntoViewIfNeeded();
    const box = await over.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 3 });
    await values.first().waitFor({ state: "visible" });
    await shot("dashboard-legend-hover-desktop-light");
    await page.mouse.move(0, 0);
    await values.first().waitFor({ state: "hidden" });
  });

  await step("the theme control cycles system → light → dark → system", async () => {
    const state = () =>
      page.evaluate(() => ({
        choice: document.querySelector("[data-testid=theme-toggle]").dataset.themeChoice,
        theme: document.documentElement.dataset.theme,
        saved: localStorage.getItem("cpamd.theme"),
      }));
    const seen = [await state()];
    for (let i = 0; i < 3; i++) {
      await page.click("[data-testid=theme-toggle]");
      seen.push(await state());
    }
    const want = [
      { choice: "system", theme: "light", saved: null },
      { choice: "light", theme: "light", saved: "light" },
      { choice: "dark", theme: "dark", saved: "dark" },
      { choice: "system", theme: "light", saved: null },
    ];
    expect(JSON.stringify(seen) === JSON.stringify(want), "states: " + JSON.stringify(seen));
    // Back on "system", a change of the system's theme is followed again.
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
  });

  await step("monitoring: rows, detail drawer, alias edit", async () => {
    await nav("monitoring");
    await page.waitForSelector("[data-testid=requests-table] tbody tr");
    await page.click("[data-testid=requests-table] tbody tr");
    await page.waitForSelector("[data-testid=event-drawer]");
    const drawer = await page.textContent("[data-testid=event-drawer]");
    expect(/Time to first token/.test(drawer) && /Input/.test(drawer), "drawer misses facts");
    await shot("monitoring-drawer-desktop-light");
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-testid=event-drawer]", { state: "detached" });
    await page.click("[data-testid=api-keys-card] [data-testid=alias-edit]");
    await page.fill("[data-testid=alias-input]", "team-alpha");
    await page.press("[data-testid=alias-input]", "Enter");
    await page.waitForSelector("[data-testid=api-keys-card] :text('team-alpha')");
    const aliases = await api("GET", "/v0/management/api-key-aliases");
    expect(
      aliases.items.some((i) => i.alias === "team-alpha"),
      "alias not stored",
    );
  });

  await step(
    "monitoring: a newly stored request shows within 2 s (one 1 s poll plus the request)",
    async () => {
      const newest = async () => {
        const now = Date.now();
        const a = await api("POST", "/v0/management/monitoring/analytics", {
          from_ms: now - 86_400_000,
          to_ms: now + 1000,
          include: { events_page: { limit: 1 } },
        });
        return a.events.items[0]?.id ?? 0;
      };
      const old = await newest();
      await stack.sim("resume", {});
      let id = 0;
      await waitFor(async () => (id = await newest()) > old, "a new event stored", 15000);
      const t0 = Date.now();
      await page.waitForSelector(`[data-testid=requests-table] tr[data-id="${id}"]`, { timeout: 2000 });
      console.log(`  new row shown ${Date.now() - t0} ms after the API had it`);
      await stack.sim("pause", {});
    },
  );

  await step("data: an import shows its progress and report", async () => {
    await nav("data");
    // New events: today's export copied onto the six days before, so analytics has a week of history.
    const body = await historyFile(1, 6);
    const expected = body.trim().split("\n").length;
    const file = join(work, "import.jsonl");
    writeFileSync(file, body);
    await page.evaluate(() => {
      window.__progress = [];
      new MutationObserver(() => {
        const bar = document.querySelector("[data-testid=import-progress]");
        if (bar) window.__progress.push(Number(bar.getAttribute("aria-valuenow")));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.setInputFiles("[data-testid=import-file]", file);
    await page.click("[data-testid=import-start]");
    await page.waitForSelector("[data-testid=import-report]", { timeout: 60000 });
    const added = await page.textContent("[data-testid=import-added]");
    expect(Number(added.replace(/\D/g, "")) === expected, `added ${added}, expected ${expected}`);
    const progress = await page.evaluate(() => window.__progress);
    const between = new Set(progress.filter((v) => v > 0 && v < 100));
    expect(between.size >= 2, "progress values seen: " + JSON.stringify([...new Set(progress)]));
    await shot("data-desktop-light");
  });

  await step("data: an interrupted import resumes after a reload", async () => {
    const body = await historyFile(8, 13);
    const expected = body.trim().split("\n").length;
    const file = join(work, "resume.jsonl");
    writeFileSync(file, body);
    // Slow chunks, so the reload lands in the middle of the upload.
    const slow = async (route) => {
      await new Promise((r) => setTimeout(r, 300));
      await route.continue().catch(() => {});
    };
    await page.route("**/import-sessions/*/chunk*", slow);
    await page.setInputFiles("[data-testid=import-file]", file);
    await page.click("[data-testid=import-start]");
    await page.waitForFunction(() => {
      const bar = document.querySelector("[data-testid=import-progress]");
      return bar && Number(bar.getAttribute("aria-valuenow")) >= 20;
    });
    // Reload while the chunks are still slow, so the upload cannot finish in between.
    await page.reload();
    await page.unroute("**/import-sessions/*/chunk*", slow);
    await page.waitForSelector("[data-testid=import-resume]");
    await shot("data-resume-desktop-light");
    const offsets = [];
    const onRequest = (r) => {
      const m = /chunk\?offset=(\d+)/.exec(r.url());
      if (m) offsets.push(Number(m[1]));
    };
    page.on("request", onRequest);
    await page.setInputFiles("[data-testid=import-file]", file);
    await page.click("[data-testid=import-start]");
    await page.waitForSelector("[data-testid=import-report]", { timeout: 60000 });
    page.off("request", onRequest);
    const added = await page.textContent("[data-testid=import-added]");
    expect(Number(added.replace(/\D/g, "")) === expected, `added ${added}, expected ${expected}`);
    expect(offsets.length && offsets[0] > 0, "the upload started again from 0: " + offsets.slice(0, 3));
  });

  await step("monitoring: polling stops while the tab is hidden", async () => {
    await nav("monitoring");
    await page.waitForSelector("[data-testid=requests-table] tbody tr");
    let asked = 0;
    const count = (r) => r.url().endsWith("/monitoring/analytics") && asked++;
    const setVisibility = (state) =>
      page.evaluate((v) => {
        Object.defineProperty(document, "visibilityState", { value: v, configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
      }, state);
    await setVisibility("hidden");
    await page.waitForTimeout(300);
    page.on("request", count);
    await page.waitForTimeout(4500);
    expect(asked === 0, `${asked} requests while hidden`);
    await setVisibility("visible");
    await page.waitForTimeout(500);
    page.off("request", count);
    expect(asked >= 1, "no refresh when shown again");
  });

  await step("analytics: every tab renders", async () => {
    await nav("analytics");
    await page.waitForSelector("[data-testid=an-calls]");
    for (const tab of ["trends", "models", "keys", "credentials", "heatmap", "overview"]) {
      await page.click(`[data-testid=tab-${tab}]`);
      await page.waitForSelector(`#tab-${tab}[aria-selected=true]`);
      await page.waitForFunction(() => !document.querySelector("#tabpanel[aria-busy=true]"));
      await shot(`analytics-${tab}-desktop-light`);
    }
    await page.click("text=Custom");
    await page.waitForSelector(".custom-range");
    // Another time zone: the route answers in it.
    await page.click("[data-testid=tab-heatmap]");
    const answered = page.waitForResponse(
      (r) => r.url().endsWith("/monitoring/analytics") && r.request().postData()?.includes("Asia/Shanghai"),
    );
    await page.selectOption("[data-testid=tz-select]", "Asia/Shanghai");
    expect((await (await answered).json()).time_zone === "Asia/Shanghai", "zone not answered");
    await page.waitForSelector("[data-testid=page-analytics] h2:has-text('Asia/Shanghai')");
    await page.selectOption(
      "[data-testid=tz-select]",
      await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
    );
  });

  await step("prices: editing a price changes the cost on the dashboard", async () => {
    await nav("prices");
    await page.waitForSelector("[data-testid=price-table] tbody tr");
    await shot("prices-desktop-light");
    const usage = await api("GET", "/v0/management/model-prices/usage-summary");
    const prices = (await api("GET", "/v0/management/model-prices")).prices;
    const model = usage.models.find((m) => prices[m.model])?.model;
    expect(model, "no priced model in use");
    await page.fill("[data-testid=price-table] input[type=search]", model);
    const row = page.locator(`[data-testid=price-table] tr[data-model="${model}"]`);
    await row.locator("input[name=prompt]").fill("1000");
    await page.click("[data-testid=save-prices]");
    await page.waitForSelector("[data-testid=price-table] .note-ok");
    expect(
      (await api("GET", "/v0/management/model-prices")).prices[model].prompt === 1000,
      "price not stored",
    );
    await nav("dashboard");
    await page.waitForSelector("[data-testid=kpi-cost]");
    const after = await dashboardMatchesApi();
    expect(
      after.today.total_cost > before.today.total_cost,
      `cost did not rise: ${before.today.total_cost} → ${after.today.total_cost}`,
    );
  });

  await step("prices: sync from the bundled catalog answers", async () => {
    await nav("prices");
    await page.selectOption("select[name=sync-source]", "bundled");
    await page.click("[data-testid=sync-prices]");
    await page.waitForSelector("[data-testid=sync-card] .sync-result");
  });

  // Alerts: a webhook sink against a loopback receiver, rules saved through the page, the drawers, the history.
  await alertsSteps({
    page,
    browser,
    base: stack.base,
    adminKey: ADMIN,
    api,
    step,
    expect,
    nav,
    waitFor,
    shotPath: (name) => join(SHOTS, name + ".png"),
  });

  await step("settings: config and system card", async () => {
    await nav("settings");
    await page.waitForSelector("[data-testid=collector-card]");
    const url = await page.inputValue("input[name=cpa-url]");
    expect(url === stack.simUrl, "cpa url shown: " + url);
    await page.fill("input[name=poll]", "750");
    await page.click("[data-testid=settings-form] button[type=submit]");
    await page.waitForSelector("[data-testid=settings-form] .note-ok");
    const cfg = await api("GET", "/usage-service/config");
    expect(
      cfg.config.collector.pollIntervalMs === 750,
      "poll interval not saved: " + cfg.config.collector.pollIntervalMs,
    );
    expect(cfg.config.cpaConnection.cpaBaseUrl === stack.simUrl, "connection changed");
    // Retention and backups as the server reports them (the harness keeps raw events forever).
    const facts = await page.textContent("[data-testid=process-settings]");
    expect(cfg.processSettings.retentionDays === 0, "retention: " + cfg.processSettings.retentionDays);
    expect(/forever/.test(facts ?? ""), "retention not shown: " + facts);
    await shot("settings-desktop-light");
  });

  await step("a reload keeps the session", async () => {
    await page.reload();
    await page.waitForSelector("[data-testid=page-settings]");
  });

  await step("an idle dashboard runs no animation", async () => {
    const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await c.addInitScript((key) => {
      sessionStorage.setItem("cpamd.session", JSON.stringify({ key, remember: false }));
      window.__frames = 0;
      const raf = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (cb) => (window.__frames++, raf(cb));
    }, ADMIN);
    const p = await c.newPage();
    await p.goto(`${stack.base}/management.html#/dashboard`);
    await p.waitForSelector("[data-testid=kpi-calls]");
    await p.waitForTimeout(1000);
    await p.evaluate(() => (window.__frames = 0));
    await p.waitForTimeout(3000);
    const idle = await p.evaluate(() => ({
      frames: window.__frames,
      animations: document.getAnimations().length,
    }));
    expect(idle.frames === 0 && idle.animations === 0, "while idle: " + JSON.stringify(idle));
    await c.close();
  });

  await step("a 401 ends the session and shows the login", async () => {
    const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await c.addInitScript(() =>
      sessionStorage.setItem("cpamd.session", JSON.stringify({ key: "stale-key", remember: false })),
    );
    const p = await c.newPage();
    await p.goto(`${stack.base}/management.html#/dashboard`);
    await p.waitForSelector("[data-testid=login-form]");
    expect(/session ended/i.test(await p.textContent("main")), "no note about the ended session");
    await c.close();
  });

  await step("monitoring: filters narrow the requests", async () => {
    await nav("dashboard");
    await page.click("[data-testid=all-failures]");
    await page.waitForSelector("[data-testid=requests-table] tbody tr");
    expect(
      (await page.inputValue("select[name=outcome]")) === "failed",
      "the dashboard link did not filter failures",
    );
    await page.waitForFunction(() => !document.querySelector("[data-testid=requests-table] .badge.good"));
    await page.selectOption("select[name=outcome]", "");
    const answered = page.waitForResponse(
      (r) =>
        r.url().endsWith("/monitoring/analytics") &&
        /"failed_only":true.*"events_page"/.test(r.request().postData() ?? ""),
    );
    await page.selectOption("select[name=outcome]", "failed");
    const a = await (await answered).json();
    await page.waitForFunction(() => !document.querySelector("[data-testid=requests-table] .badge.good"));
    expect(
      a.events.items.every((e) => e.failed),
      "a success in a failed-only answer",
    );
    await page.selectOption("select[name=outcome]", "");
  });

  await step("logout, a wrong admin key is refused, the right one signs in", async () => {
    await page.click("[data-testid=logout]");
    await page.waitForSelector("[data-testid=login-form]");
    await shot("login-desktop-light");
    await page.fill("input[name=admin-key]", "wrong-admin-key");
    await page.click("[data-testid=login-form] button[type=submit]");
    await page.waitForSelector("[data-testid=login-form] [role=alert]");
    expect(/admin key is not correct/i.test(await page.textContent("[role=alert]")), "no error shown");
    await page.fill("input[name=admin-key]", ADMIN);
    await page.check("[data-testid=login-form] input[type=checkbox]");
    await page.click("[data-testid=login-form] button[type=submit]");
    await page.waitForSelector("[data-testid^=page-]");
    const stored = await page.evaluate(() => [
      !!localStorage.getItem("cpamd.session"),
      !!sessionStorage.getItem("cpamd.session"),
    ]);
    expect(stored[0] && !stored[1], "remember me did not move the session to localStorage: " + stored);
  });

  // Every page: desktop and phone, light and dark; English, and Chinese on two of the four.
  for (const [size, viewport] of [
    ["desktop", { width: 1280, height: 800 }],
    ["phone", { width: 375, height: 812 }],
  ]) {
    for (const theme of ["light", "dark"]) {
      for (const lang of theme === "light" ? ["en", "zh-CN"] : ["en"]) {
        await step(`screenshots ${size} ${theme} ${lang}`, async () => {
          const c = await browser.newContext({
            viewport,
            colorScheme: theme,
            locale: lang === "en" ? "en-US" : "zh-CN",
          });
          await c.addInitScript(
            ([key, l]) => {
              if (!location.search.includes("signed-out"))
                sessionStorage.setItem("cpamd.session", JSON.stringify({ key, remember: false }));
              localStorage.setItem("cpamd.lang", l);
            },
            [ADMIN, lang],
          );
          const p = await c.newPage();
          p.on("pageerror", (e) => pageErrors.push(String(e)));
          const suffix = `${size}-${theme}${lang === "en" ? "" : "-zh"}`;
          await p.goto(`${stack.base}/management.html?signed-out`);
          await p.waitForSelector("[data-testid=login-form]");
          await p.screenshot({ path: join(SHOTS, `login-${suffix}.png`) });
          for (const name of PAGES) {
            await p.goto(`${stack.base}/management.html#/${name}`);
            await p.waitForSelector(`[data-testid=page-${name}]`);
            await p.waitForTimeout(name === "dashboard" || name === "analytics" ? 700 : 400);
            await p.screenshot({ path: join(SHOTS, `${name}-${suffix}.png`), fullPage: true });
            const width = await p.evaluate(() => document.documentElement.scrollWidth);
            expect(width <= viewport.width, `${name} is ${width} px wide at ${viewport.width} px`);
          }
          if (size === "phone") {
            await p.click(".nav-open-btn");
            await p.waitForTimeout(250);
            await p.screenshot({ path: join(SHOTS, `nav-${suffix}.png`) });
          }
          await c.close();
        });
      }
    }
  }

  await step("recovery: with CPA down, login lands on the connection settings", async () => {
    await stack.stopSim();
    await page.click("[data-testid=logout]");
    await page.fill("input[name=admin-key]", ADMIN);
    await page.click("[data-testid=login-form] button[type=submit]");
    await page.waitForSelector("[data-testid=page-settings]");
    await page.waitForSelector("[data-testid=recovery-banner]");
    await shot("recovery-desktop-light");
  });

  await step("no script errors in the page", async () => {
    expect(pageErrors.length === 0, pageErrors.join("\n"));
  });
} finally {
  await browser.close();
  await stack.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(`screenshots: ${SHOTS}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
