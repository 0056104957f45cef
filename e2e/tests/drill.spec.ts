import path from "node:path";
import { expect, test } from "@playwright/test";
import { artifactsDir } from "../playwright.config";
import { signInWithPassword } from "../support/sign-in";

test("the drill page runs both scenarios and shows the timeline step by step", async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await signInWithPassword(page);
  await page.goto("/drill");
  await expect(page.getByRole("heading", { name: "Incident drill" })).toBeVisible();
  await page.getByRole("button", { name: "Run drill" }).click();
  const timeline = page.getByRole("list", { name: "Drill timeline" });
  // Steps appear while the drill runs, before the summary.
  // (The first step waits for an embedded PostgreSQL to start, which takes seconds on a busy machine,
  // and npm test runs the database tests beside the browser tests.)
  await expect(timeline.getByRole("listitem").first()).toBeVisible({ timeout: 45_000 });
  await expect(page.getByRole("status")).toContainText("Drill complete: every step went as expected.", {
    timeout: 30_000,
  });
  await expect(timeline.getByText('column "email" does not exist').first()).toBeVisible();
  await expect(page.getByRole("status")).toContainText("rolling back to 1.0.0 is UNSAFE");
  // Issue 13: the embedded database's pg_stat_statements lets "nothing still uses what the contract removes" catch a forgotten v1 worker.
  await expect(
    timeline.getByText("a forgotten v1 worker still reads users.email: the new check refuses the contract"),
  ).toBeVisible();
  await expect(timeline.getByText(/fail: 1 statement\(s\) still use what the contract removes/)).toBeVisible();
  expect(await timeline.getByRole("listitem").count()).toBe(25);
  await expect(page.getByRole("link", { name: "Download evidence (JSON)" })).toBeVisible();
  const file = path.join(artifactsDir, "drill.png");
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach("drill", { path: file, contentType: "image/png" });
});
