import { createHash } from "node:crypto";
import { expect, test } from "@playwright/test";
import { event, makeService, post, signed } from "../support/api";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const EXPAND = "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text;\n";
const CONTRACT = "SET lock_timeout = '3s';\nALTER TABLE users DROP COLUMN IF EXISTS email;\n";

test("the window ends while the page is open: the countdown reaches zero and the check passes without a reload", async ({ page }) => {
  test.setTimeout(60_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({ policy: { rollbackWindowSeconds: 8 } });
  const send = async (type: string, data: Record<string, unknown>) => expect((await post(base, signed(svc, event(svc, type, data)))).status).toBe(202);
  await send("release.created", { title: "Email", author: "dev@example.com", app_version: "2.0.0", expand_sql: EXPAND, contract_sql: CONTRACT });
  await send("migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("backup.verified", { backup_id: "b", restore_tested: true });
  await send("app.deployed", { version: "2.0.0" });
  await send("flag.changed", { flag: "f", percent: 100 });
  await send("slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 });

  await page.goto(`/rollouts/${svc.slug}/staging/r1`);
  const window = page.locator("[data-check=rollback_window]");
  await expect(window).toHaveAttribute("data-status", "pending");
  await expect(page.locator("[data-countdown=rollback_window]")).toContainText(/0:0\d left/);
  await expect(page.getByText("Contract locked")).toBeVisible();
  const navigations: string[] = [];
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  });

  await expect(window).toHaveAttribute("data-status", "pass", { timeout: 20_000 });
  await expect(page.getByText("Contract unlocked: every check passes.")).toBeVisible();
  expect(navigations).toEqual([]);
});
