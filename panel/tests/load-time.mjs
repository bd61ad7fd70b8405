// Panel load time against a running cpamd: navigation start → first figures shown, per page.
// Usage: CPAMD_URL=http://127.0.0.1:18317 CPAMD_ADMIN_KEY=… node tests/load-time.mjs [runs]
// Prints one JSON line per page with the median and every run, in milliseconds.
import { chromium } from "playwright-core";

const base = process.env.CPAMD_URL || "http://127.0.0.1:18317";
const key = process.env.CPAMD_ADMIN_KEY;
const runs = Number(process.argv[2] || 5);
if (!key) {
  console.error("set CPAMD_ADMIN_KEY");
  process.exit(2);
}
// What "data shown" means on each page: the first figure that comes from the server.
const pages = {
  dashboard: "[data-testid=kpi-calls]",
  monitoring: "[data-testid=requests-table] tbody tr, [data-testid=requests-card] .empty",
  analytics: "[data-testid=an-calls]",
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  for (const [name, selector] of Object.entries(pages)) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // The moment is taken inside the page (a MutationObserver), not by polling from outside.
      await ctx.addInitScript(
        ([k, sel]) => {
          sessionStorage.setItem("cpamd.session", JSON.stringify({ key: k, remember: false }));
          new MutationObserver((_, obs) => {
            if (document.querySelector(sel)) {
              window.__shown = performance.now();
              obs.disconnect();
            }
          }).observe(document, { subtree: true, childList: true });
        },
        [key, selector],
      );
      const page = await ctx.newPage();
      await page.goto(`${base}/management.html#/${name}`, { waitUntil: "commit" });
      await page.waitForFunction(() => window.__shown !== undefined, null, { timeout: 120_000 });
      times.push(Math.round(await page.evaluate(() => window.__shown)));
      await ctx.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      JSON.stringify({ page: name, median_ms: sorted[Math.floor(sorted.length / 2)], runs_ms: times }),
    );
  }
} finally {
  await browser.close();
}
