import path from "node:path";
import { expect, test } from "@playwright/test";
import { artifactsDir, METRICS_TOKEN } from "../playwright.config";
import { signInWithPassword } from "../support/sign-in";
import { event, EXPAND, makeService, post, sha, signed, startWindow, type TestService } from "../support/api";

test("the overview shows every seeded service with its rollouts", async ({ page }, testInfo) => {
  await signInWithPassword(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  for (const service of ["billing-api", "accounts-api", "search-indexer"]) {
    await expect(page.getByRole("region", { name: new RegExp(service) })).toBeVisible();
  }
  const accounts = page.getByRole("region", { name: /accounts-api/ });
  await expect(accounts.getByText("verifying")).toBeVisible();
  const search = page.getByRole("region", { name: /search-indexer/ });
  await expect(search.getByText("expand failed")).toBeVisible();
  await expect(search.getByText("rolled back")).toBeVisible();

  const file = path.join(artifactsDir, "overview.png");
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach("overview", { path: file, contentType: "image/png" });
});

test("a rollout's line opens its page inside the app, without a reload; a modified click is left to the browser", async ({
  page,
}) => {
  await signInWithPassword(page);
  await page.goto("/");
  const accounts = page.getByRole("region", { name: /accounts-api/ });
  const line = accounts.locator("li[data-environment=staging]").getByRole("link");
  const href = await line.getAttribute("href");
  expect(href).toMatch(/^\/rollouts\/accounts-api\/staging\//);
  // A mark on the page's window survives only a navigation inside the app.
  await page.evaluate(() => Object.assign(window, { stillHere: true }));
  await line.click();
  await expect(page).toHaveURL(href!);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  expect(await page.evaluate(() => (window as { stillHere?: boolean }).stillHere)).toBe(true);
  // Ctrl-click opens a new tab and leaves this page where it is.
  await page.goBack();
  const opened = page.context().waitForEvent("page");
  await accounts
    .locator("li[data-environment=staging]")
    .getByRole("link")
    .click({ modifiers: ["ControlOrMeta"] });
  await (await opened).close();
  await expect(page).toHaveURL(/\/$/);
});

test("health, readiness and metrics answer", async ({ request }) => {
  expect((await request.get("/api/health")).status()).toBe(200);
  const ready = await request.get("/api/ready");
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready", database: "postgres" });
  const metrics = await request.get("/api/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(metrics.headers()["content-type"]).toContain("text/plain");
  expect(await metrics.text()).toMatch(/^rollgate_database_up 1$/m);
});

test("each environment shows its gate and window countdown; needs attention lists windows ending soon, failed runs and refused deliveries", async ({
  page,
}) => {
  const base = test.info().project.use.baseURL!;
  const send = async (svc: TestService, type: string, data: Record<string, unknown>, status = 202) =>
    expect((await post(base, signed(svc, event(svc, type, data)))).status).toBe(status);

  // A rollout in its rollback window (one hour): gate locked (window, backup, SLO snapshots), countdown running, ending soon.
  const verifying = await makeService({ policy: { rollbackWindowSeconds: 3600 } });
  await startWindow(base, verifying);

  // A rollout whose destructive expand was refused, then whose expand run failed.
  const failing = await makeService();
  await send(failing, "release.created", { title: "Drop", author: "dev@example.com", app_version: "3.0.0" });
  const destructive = "ALTER TABLE users DROP COLUMN email;";
  await send(
    failing,
    "migration.started",
    { phase: "expand", name: "e", checksum: sha(destructive), sql: destructive },
    409,
  );
  await send(failing, "migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND), sql: EXPAND });
  await send(failing, "migration.failed", { phase: "expand", name: "e", checksum: sha(EXPAND), exit_code: 3 });

  // Counts the page's live one-second timers: every countdown should tick from the one page clock.
  await page.addInitScript(() => {
    const live = new Set<number>();
    const { setInterval: set, clearInterval: clear } = window;
    Object.assign(window, {
      secondTimers: () => live.size,
      setInterval: (handler: TimerHandler, ms?: number, ...args: unknown[]) => {
        const id = set(handler, ms, ...args);
        if (ms === 1000) live.add(id);
        return id;
      },
      clearInterval: (id?: number) => {
        if (id !== undefined) live.delete(id);
        clear(id);
      },
    });
  });
  await signInWithPassword(page);
  await page.goto("/");
  const staging = page.getByRole("region", { name: new RegExp(verifying.slug) }).locator("[data-environment=staging]");
  await expect(staging.locator("[data-gate=locked]")).toContainText(
    /gate locked: 3 check\(s\) open · window (59:[0-5]\d|1 h 00 min) left/,
  );
  // The countdown ticks in the browser.
  const first = await staging.locator("[data-countdown-until]").textContent();
  await expect(staging.locator("[data-countdown-until]")).not.toHaveText(first!, { timeout: 5000 });
  expect(await page.locator("[data-countdown-until]").count()).toBeGreaterThan(1);
  expect(await page.evaluate(() => (window as unknown as { secondTimers: () => number }).secondTimers())).toBe(1);

  const attention = page.getByRole("region", { name: /Needs attention/ });
  await expect(attention.locator("[data-attention=window]").filter({ hasText: verifying.slug })).toContainText(
    "rollback window ends in",
  );
  await expect(attention.locator("[data-attention=failed]").filter({ hasText: failing.slug })).toContainText(
    "the expand migration failed",
  );
  await expect(attention.locator("[data-attention=refused]").filter({ hasText: failing.slug })).toContainText(
    "1 refused delivery",
  );
  await attention.locator("[data-attention=failed]").filter({ hasText: failing.slug }).getByRole("link").click();
  await expect(page.getByRole("table", { name: "Migration runs" })).toContainText("failed");
});

test("the overview is live: when a window ends, the gate opens on screen without a reload", async ({ page }) => {
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({ policy: { rollbackWindowSeconds: 8 } });
  await startWindow(base, svc, { evidence: true });

  await signInWithPassword(page);
  await page.goto("/");
  const staging = page.getByRole("region", { name: new RegExp(svc.slug) }).locator("[data-environment=staging]");
  await expect(staging.locator("[data-gate=locked]")).toContainText(
    /gate locked: \d check\(s\) open · window 0:0\d left/,
  );
  const navigations: string[] = [];
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  });
  await expect(staging.locator("[data-gate=allowed]")).toHaveText("gate open", { timeout: 20_000 });
  await expect(staging.getByText("contract ready")).toBeVisible();
  expect(navigations).toEqual([]);
  // Offline, the page says the data on screen may be old.
  await page.context().setOffline(true);
  await expect(page.getByRole("status").filter({ hasText: /^offline: showing \d\d:\d\d:\d\d UTC$/ })).toBeVisible();
  await page.context().setOffline(false);
  await expect(page.getByText("live", { exact: true })).toBeVisible();
});

test.describe("in New York", () => {
  test.use({ timezoneId: "America/New_York" });

  test("the rollout page shows times in the viewer's zone with UTC on hover, the flag over time, and pages its timeline by keyset", async ({
    page,
  }) => {
    const base = test.info().project.use.baseURL!;
    const svc = await makeService();
    const send = async (type: string, data: Record<string, unknown>) =>
      expect((await post(base, signed(svc, event(svc, type, data)))).status).toBe(202);
    await send("release.created", {
      title: "Ramp",
      author: "dev@example.com",
      app_version: "2.0.0",
      expand_sql: EXPAND,
    });
    await send("migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) });
    await send("migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) });
    await send("app.deployed", { version: "2.0.0" });
    for (let percent = 1; percent <= 60; percent += 1) await send("flag.changed", { flag: "ramp", percent });

    await signInWithPassword(page);
    await page.goto(`/rollouts/${svc.slug}/staging/r1`);
    const timeline = page.getByRole("region", { name: /Timeline/ });
    await expect(timeline.locator("li")).toHaveCount(50);
    await expect(timeline.locator("li").first()).toContainText("flag ramp 60 %");
    // Eastern time on screen, UTC in the title.
    const stamp = timeline.locator("li").first().locator("time");
    await expect(stamp).toContainText(/E[SD]T|GMT-[45]/);
    expect(await stamp.getAttribute("title")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

    await expect(page.getByRole("img", { name: /Flag ramp: \d+ points; now 60 %/ })).toBeVisible();

    await timeline.getByRole("link", { name: "Older →" }).click();
    await expect(timeline).toContainText("older entries");
    await expect(timeline.locator("li")).toHaveCount(14); // 64 items: release.created, expand started and succeeded, deploy, 60 flag steps
    await expect(timeline.locator("li").last()).toContainText("release.created");
    await expect(timeline.getByRole("link", { name: "Older →" })).toHaveCount(0);
    await timeline.getByRole("link", { name: "← Newest" }).click();
    await expect(timeline.locator("li").first()).toContainText("flag ramp 60 %");
  });
});
