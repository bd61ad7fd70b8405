// The Alerts page in the browser suite: a webhook sink set up through the page and tested against a loopback
// receiver, a rule added and saved (and still there after a reload, equal to what the page sent), a masked
// secret sent back unchanged keeps working, and the test notice in the history.
import http from "node:http";

/** A tiny HTTP server on 127.0.0.1 that keeps every request it gets. */
export async function startReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    received,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

// What the rule form is filled with, and what the page must send for it.
const RULE = {
  id: "ui-failures",
  kind: "failure_rate",
  scope: "all",
  threshold: 0.25,
  windowMinutes: 10,
  minRequests: 5,
  cooldownMinutes: 30,
};
const SECRET = "secret-value-123";

/** Same value, whatever the order of object keys. */
const canon = (v) =>
  Array.isArray(v)
    ? v.map(canon)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canon(v[k])]),
        )
      : v;
const same = (a, b) => JSON.stringify(canon(a)) === JSON.stringify(canon(b));

export async function alertsSteps({ page, api, step, expect, nav, shotPath, waitFor }) {
  const receiver = await startReceiver();
  const sinkRow = () => page.locator("[data-testid=sinks-table] tbody tr", { hasText: "test-hook" });
  // Started before the click that sends it; never left unhandled when a step fails before awaiting it.
  const putAlerts = () => {
    const answer = page.waitForResponse(
      (r) => r.url().endsWith("/usage-service/alerts") && r.request().method() === "PUT",
    );
    answer.catch(() => {});
    return answer;
  };
  const sendTest = async () => {
    const before = receiver.received.length;
    await sinkRow().locator("[data-testid=send-test]").click();
    const result = sinkRow().locator("[data-testid=test-result]");
    await result.waitFor();
    const text = await result.textContent();
    expect(/Sent/.test(text ?? ""), "test result shown: " + text);
    await waitFor(async () => receiver.received.length > before, "the webhook request", 10000);
    return receiver.received[receiver.received.length - 1];
  };
  try {
    // A daemon without the alerts routes fails once here instead of timing out in every step.
    let missing = null;
    await step("alerts: the daemon answers GET /usage-service/alerts", async () => {
      missing = await api("GET", "/usage-service/alerts").then(
        () => null,
        (e) => e,
      );
      if (missing) throw missing;
    });
    if (missing) return;

    await step("alerts: a webhook sink set up in the page, saved, and its test delivered", async () => {
      await nav("alerts");
      await page.waitForSelector("[data-testid=alerts-save-bar]");
      await page.click("[data-testid=add-sink]");
      const form = page.locator("[data-testid=sink-form]");
      await form.waitFor();
      await form.locator("select[name=kind]").selectOption("webhook");
      await form.locator("input[name=id]").fill("test-hook");
      await form.locator("input[name=url]").fill(receiver.url);
      await form.locator("button", { hasText: "Add header" }).click();
      await form.locator("input[name=header-name]").fill("X-Test");
      await form.locator("input[name=header-value]").fill(SECRET);
      await page.screenshot({ path: shotPath("alerts-sink-form-desktop-light") });
      await form.locator("[data-testid=apply]").click();
      await form.waitFor({ state: "detached" });
      // Not stored yet: the test waits for Save.
      expect(
        await sinkRow().locator("[data-testid=send-test]").isDisabled(),
        "an unsaved sink can be tested",
      );
      const put = putAlerts();
      await page.click("[data-testid=save-alerts]");
      const answer = await put;
      expect(answer.ok(), "PUT /usage-service/alerts failed: " + (answer.ok() ? "" : await answer.text()));
      await page.waitForSelector("[data-testid=alerts-save-bar] .note-ok");
      const got = await sendTest();
      let body = null;
      try {
        body = JSON.parse(got.body);
      } catch {
        /* checked below */
      }
      expect(body && typeof body === "object", "the webhook body is not JSON: " + got.body.slice(0, 200));
      expect(got.headers["x-test"] === SECRET, "header not sent: " + got.headers["x-test"]);
      const stored = (await api("GET", "/usage-service/alerts")).alerts.sinks.find(
        (s) => s.id === "test-hook",
      );
      expect(stored && stored.url === receiver.url, "sink not stored: " + JSON.stringify(stored));
      expect(stored.headers?.["X-Test"] !== SECRET, "the header value is answered in clear");
    });

    await step("alerts: a rule added in the page is saved and still there after a reload", async () => {
      await page.click("[data-testid=add-rule]");
      const form = page.locator("[data-testid=rule-form]");
      await form.waitFor();
      await form.locator("select[name=kind]").selectOption(RULE.kind);
      await form.locator("input[name=id]").fill(RULE.id);
      await form.locator("input[name=threshold]").fill("25");
      await form.locator("input[name=windowMinutes]").fill(String(RULE.windowMinutes));
      await form.locator("input[name=minRequests]").fill(String(RULE.minRequests));
      await form.locator("input[name=cooldownMinutes]").fill(String(RULE.cooldownMinutes));
      await page.screenshot({ path: shotPath("alerts-rule-form-desktop-light") });
      await form.locator("[data-testid=apply]").click();
      await form.waitFor({ state: "detached" });
      const put = putAlerts();
      await page.click("[data-testid=save-alerts]");
      const answer = await put;
      expect(answer.ok(), "PUT failed: " + (answer.ok() ? "" : await answer.text()));
      const sent = answer
        .request()
        .postDataJSON()
        .rules.find((r) => r.id === RULE.id);
      expect(same(sent, RULE), "the page sent " + JSON.stringify(sent));
      await page.reload();
      await page.waitForSelector(`[data-testid=rules-table] tbody tr:has-text("${RULE.id}")`);
      const row = await page.textContent(`[data-testid=rules-table] tbody tr:has-text("${RULE.id}")`);
      expect(/25\s?%/.test(row) && /10 min/.test(row), "rule row: " + row);
      const stored = (await api("GET", "/usage-service/alerts")).alerts.rules.find((r) => r.id === RULE.id);
      expect(
        stored && Object.keys(sent).every((k) => same(stored[k], sent[k])),
        "stored " + JSON.stringify(stored),
      );
    });

    await step("alerts: a masked secret sent back unchanged keeps the stored one", async () => {
      // Another change and Save: the sink goes back as the server masked it.
      const put = putAlerts();
      await page
        .locator(`[data-testid=rules-table] tbody tr:has-text("${RULE.id}") input[type=checkbox]`)
        .uncheck();
      await page.click("[data-testid=save-alerts]");
      const answer = await put;
      expect(answer.ok(), "PUT failed: " + (answer.ok() ? "" : await answer.text()));
      await page.waitForSelector("[data-testid=alerts-save-bar] .note-ok");
      const sentSink = answer
        .request()
        .postDataJSON()
        .sinks.find((s) => s.id === "test-hook");
      expect(sentSink.headers["X-Test"] !== SECRET, "the page knew the secret in clear");
      const got = await sendTest();
      expect(got.headers["x-test"] === SECRET, "the stored secret was lost: " + got.headers["x-test"]);
      const stored = (await api("GET", "/usage-service/alerts")).alerts.rules.find((r) => r.id === RULE.id);
      expect(stored.enabled === false, "rule not turned off: " + JSON.stringify(stored));
    });

    await step("alerts: the history shows the test notice and its delivery", async () => {
      const row = page.locator("[data-testid=history-table] tbody tr", {
        has: page.locator("[data-event=test]"),
      });
      await row.first().waitFor({ timeout: 5000 });
      const text = await row.first().textContent();
      expect(/✓\s*test-hook/.test(text ?? ""), "delivery not shown: " + text);
      const h = await api("GET", "/usage-service/alerts/history?limit=50");
      expect(
        h.items.some((n) => n.event === "test" && n.deliveries.some((d) => d.sink === "test-hook" && d.ok)),
        "no delivered test notice in the history",
      );
      await page.screenshot({ path: shotPath("alerts-desktop-light"), fullPage: true });
    });
  } finally {
    await receiver.close();
  }
}
