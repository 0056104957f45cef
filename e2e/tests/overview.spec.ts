import path from "node:path";
import { expect, test } from "@playwright/test";
import { artifactsDir } from "../playwright.config";

test("the overview shows every seeded service with its rollouts", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  for (const service of ["billing-api", "accounts-api", "search-indexer"]) {
    await expect(page.getByRole("region", { name: new RegExp(service) })).toBeVisible();
  }
  const accounts = page.getByRole("region", { name: /accounts-api/ });
  await expect(accounts.getByText("verifying")).toBeVisible();
  await expect(page.getByText("expand failed")).toBeVisible();
  await expect(page.getByText("rolled back")).toBeVisible();

  const file = path.join(artifactsDir, "overview.png");
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach("overview", { path: file, contentType: "image/png" });
});

test("health, readiness and metrics answer", async ({ request }) => {
  expect((await request.get("/api/health")).status()).toBe(200);
  const ready = await request.get("/api/ready");
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready", database: "postgres" });
  const metrics = await request.get("/api/metrics");
  expect(metrics.headers()["content-type"]).toContain("text/plain");
  expect(await metrics.text()).toMatch(/^rollgate_database_up 1$/m);
});
