// The Alerts page in the browser suite: a webhook sink set up through the page and tested against a loopback
// receiver; the SMTP form's port following its security; a budget per API key and a failure rule per
// credential notifying one channel, saved and still there after a reload exactly as the page sent them (and
// summarised in the table); the drawers in dark, at phone width and in Chinese; a masked secret sent back
// unchanged keeps working; and the test notice in the history.
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

// What the rule forms are filled with, and what the page must send (and the server keep) for them.
const RULE = {
  id: "ui-failures",
  kind: "failure_rate",
  scope: "credential",
  credential: "3f9c2a1b7d4e5f60",
  threshold: 0.25,
  windowMinutes: 10,
  minRequests: 5,
  cooldownMinutes: 30,
  sinks: ["test-hook"],
};
const BUDGET = {
  id: "ui-budget",
  kind: "budget",
  name: "Ops key, weekly",
  period: "week",
  scope: "api_key",
  match: "ops",
  usd: 50,
  warnPercent: 75,
  cooldownMinutes: 60,
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

export async function alertsSteps({
  page,
  api,
  step,
  expect,
  nav,
  shotPath,
  waitFor,
  browser,
  base,
  adminKey,
}) {
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
  // A step that failed with a drawer open must not block the next ones.
  const noDrawer = async () => {
    if (await page.locator(".drawer").count()) {
      await page.keyboard.press("Escape");
      await page.locator(".drawer").waitFor({ state: "detached" });
    }
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

    await step("alerts: the SMTP port follows its security; Telegram's API server is advanced", async () => {
      await noDrawer();
      await page.click("[data-testid=add-sink]");
      const form = page.locator("[data-testid=sink-form]");
      await form.waitFor();
      await form.locator("select[name=kind]").selectOption("smtp");
      const port = form.locator("input[name=port]");
      expect((await port.inputValue()) === "587", "starttls port: " + (await port.inputValue()));
      await form.locator("select[name=security]").selectOption("tls");
      expect((await port.inputValue()) === "465", "tls port: " + (await port.inputValue()));
      await form.locator("select[name=security]").selectOption("none");
      expect((await port.inputValue()) === "25", "plain port: " + (await port.inputValue()));
      await form.locator("input[name=host]").fill("smtp.example.org");
      await form.locator("input[name=username]").fill("cpamd");
      await form.locator("input[name=from]").fill("cpamd@example.org");
      await form.locator("input[name=to]").fill("ops@example.org, oncall@example.org");
      await form.locator("select[name=security]").selectOption("starttls");
      await page.screenshot({ path: shotPath("alerts-smtp-form-desktop-light") });
      await port.fill("2525");
      await form.locator("select[name=security]").selectOption("tls");
      expect((await port.inputValue()) === "2525", "a typed port was replaced: " + (await port.inputValue()));
      // Telegram: the Bot API server sits under "Advanced", with the default filled in.
      await form.locator("select[name=kind]").selectOption("telegram");
      expect(!(await form.locator("input[name=apiBase]").isVisible()), "apiBase shown without Advanced");
      await form.locator("[data-testid=advanced]").click();
      const apiBase = await form.locator("input[name=apiBase]").inputValue();
      expect(apiBase === "https://api.telegram.org", "apiBase: " + apiBase);
      await form.locator("button", { hasText: "Cancel" }).click();
      await form.waitFor({ state: "detached" });
    });

    await step("alerts: a budget per API key and a failure rule per credential, saved in full", async () => {
      await noDrawer();
      // A budget for one API key: the key box appears only once the scope is not "all traffic".
      await page.click("[data-testid=add-rule]");
      let form = page.locator("[data-testid=rule-form]");
      await form.waitFor();
      await form.locator("select[name=kind]").selectOption("budget");
      await form.locator("input[name=id]").fill(BUDGET.id);
      await form.locator("input[name=name]").fill(BUDGET.name);
      await form.locator("select[name=period]").selectOption(BUDGET.period);
      expect((await form.locator("input[name=match]").count()) === 0, "match shown for all traffic");
      await form.locator("select[name=scope]").selectOption(BUDGET.scope);
      await form.locator("input[name=match]").fill(BUDGET.match);
      await form.locator("input[name=usd]").fill(String(BUDGET.usd));
      await form.locator("input[name=warnPercent]").fill(String(BUDGET.warnPercent));
      expect(/soft/.test(await form.textContent()), "no soft-budget note in the budget form");
      await page.screenshot({ path: shotPath("alerts-budget-form-desktop-light") });
      await form.locator("[data-testid=apply]").click();
      await form.waitFor({ state: "detached" });

      // A failure rate per credential (one named), notifying one channel only.
      await page.click("[data-testid=add-rule]");
      form = page.locator("[data-testid=rule-form]");
      await form.waitFor();
      await form.locator("select[name=kind]").selectOption(RULE.kind);
      await form.locator("input[name=id]").fill(RULE.id);
      await form.locator("select[name=scope]").selectOption(RULE.scope);
      await form.locator("input[name=credential]").fill(RULE.credential);
      await form.locator("input[name=threshold]").fill("25");
      await form.locator("input[name=windowMinutes]").fill(String(RULE.windowMinutes));
      await form.locator("input[name=minRequests]").fill(String(RULE.minRequests));
      await form.locator("input[name=cooldownMinutes]").fill(String(RULE.cooldownMinutes));
      await form.locator("input[name=sinks][value=test-hook]").check();
      await page.screenshot({ path: shotPath("alerts-rule-form-desktop-light") });
      await form.locator("[data-testid=apply]").click();
      await form.waitFor({ state: "detached" });

      const put = putAlerts();
      await page.click("[data-testid=save-alerts]");
      const answer = await put;
      expect(answer.ok(), "PUT failed: " + (answer.ok() ? "" : await answer.text()));
      const body = answer.request().postDataJSON();
      for (const want of [RULE, BUDGET]) {
        const sent = body.rules.find((r) => r.id === want.id);
        expect(same(sent, want), "the page sent " + JSON.stringify(sent));
      }

      await page.reload();
      const rowOf = (id) => page.locator("[data-testid=rules-table] tbody tr", { hasText: id });
      await rowOf(RULE.id).waitFor();
      const stored = (await api("GET", "/usage-service/alerts")).alerts.rules;
      for (const want of [RULE, BUDGET]) {
        const got = stored.find((r) => r.id === want.id);
        // Exactly these members, and "enabled" as the server writes it.
        expect(same(got, { ...want, enabled: true }), "stored " + JSON.stringify(got));
      }
      const fr = (await rowOf(RULE.id).textContent()) ?? "";
      expect(
        /failure rate ≥ 25\s?% of credential 3f9c2a1b… over 10 min/.test(fr) &&
          /notifies: test-hook/.test(fr),
        "failure rule row: " + fr,
      );
      const title = await rowOf(RULE.id).locator("td.condition").getAttribute("title");
      expect((title ?? "").includes(RULE.credential), "the full credential is not in the tooltip: " + title);
      const bu = (await rowOf(BUDGET.id).textContent()) ?? "";
      expect(
        /budget \$50\.00\/week for API key ops, warning at 75\s?%/.test(bu) && bu.includes(BUDGET.name),
        "budget row: " + bu,
      );
      expect(!/notifies/.test(bu), "a rule without channels lists some: " + bu);
    });

    await step("alerts: the rule and channel drawers in dark, at phone width and in Chinese", async () => {
      for (const [suffix, viewport, colorScheme, lang] of [
        ["desktop-dark", { width: 1280, height: 800 }, "dark", "en"],
        ["phone-light", { width: 375, height: 812 }, "light", "en"],
        ["phone-dark-zh", { width: 375, height: 812 }, "dark", "zh-CN"],
      ]) {
        const c = await browser.newContext({
          viewport,
          colorScheme,
          locale: lang === "en" ? "en-US" : "zh-CN",
        });
        try {
          await c.addInitScript(
            ([key, l]) => {
              sessionStorage.setItem("cpamd.session", JSON.stringify({ key, remember: false }));
              localStorage.setItem("cpamd.lang", l);
            },
            [adminKey, lang],
          );
          const p = await c.newPage();
          await p.goto(`${base}/management.html#/alerts`);
          const row = p.locator("[data-testid=rules-table] tbody tr", { hasText: BUDGET.id });
          await row.waitFor();
          await row.locator("[data-testid=edit]").click();
          const form = p.locator("[data-testid=rule-form]");
          await form.waitFor();
          expect(
            (await form.locator("input[name=match]").inputValue()) === BUDGET.match,
            "the stored match is not shown",
          );
          await p.waitForTimeout(250);
          await p.screenshot({ path: shotPath(`alerts-budget-form-${suffix}`) });
          const wide = await form.evaluate((el) => el.scrollWidth - el.clientWidth);
          expect(wide <= 0, `the rule drawer scrolls sideways by ${wide} px`);
          await p.keyboard.press("Escape");
          await form.waitFor({ state: "detached" });
          await p.click("[data-testid=add-sink]");
          const sink = p.locator("[data-testid=sink-form]");
          await sink.waitFor();
          await sink.locator("select[name=kind]").selectOption("smtp");
          await sink.locator("select[name=security]").selectOption("tls");
          await p.waitForTimeout(250);
          await p.screenshot({ path: shotPath(`alerts-smtp-form-${suffix}`) });
          const sinkWide = await sink.evaluate((el) => el.scrollWidth - el.clientWidth);
          expect(sinkWide <= 0, `the channel drawer scrolls sideways by ${sinkWide} px`);
        } finally {
          await c.close();
        }
      }
    });

    await step("alerts: a masked secret sent back unchanged keeps the stored one", async () => {
      await noDrawer();
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
