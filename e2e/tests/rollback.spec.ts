import path from "node:path";
import { expect, test } from "@playwright/test";
import { artifactsDir } from "../playwright.config";
import { signInWithPassword } from "../support/sign-in";

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test("on call, on a phone: can I roll back? SAFE before the contract, UNSAFE after it, with the reason", async ({
  page,
}, testInfo) => {
  await signInWithPassword(page, "olga.oncall@example.com");
  await page.goto("/rollback");
  await page.getByLabel("Service and environment").selectOption("accounts-api/staging");
  await page.getByRole("button", { name: "Check" }).click();
  // Staging contracted the release that dropped users.email, which 3.3.2 reads.
  await expect(page.getByRole("heading", { name: "UNSAFE" })).toBeVisible();
  await expect(page.getByText(/dropped column users\.email .* 3\.3\.2 reads users\.email/)).toBeVisible();
  const file = path.join(artifactsDir, "rollback-phone.png");
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach("rollback on a phone", { path: file, contentType: "image/png" });

  await page.getByLabel("Service and environment").selectOption("accounts-api/production");
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("heading", { name: "SAFE" })).toBeVisible();
  await expect(page.getByRole("table")).toContainText("3.4.0 (current)");
  // Nothing on the page is wider than the phone.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.getByRole("link", { name: "the rollback runbook" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/roll/i);
});

test("on a phone, the overview and a rollout page fit the screen", async ({ page }, testInfo) => {
  await signInWithPassword(page);
  for (const url of ["/", "/rollouts/accounts-api/production/2026.11.4"]) {
    await page.goto(url);
    await expect(page.locator("main h1")).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), url).toBeLessThanOrEqual(390);
  }
  // The charts load after the page (recharts is kept out of its first load).
  await expect(page.locator(".recharts-surface").first()).toBeVisible();
  const file = path.join(artifactsDir, "rollout-phone.png");
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach("rollout page on a phone", { path: file, contentType: "image/png" });
});
