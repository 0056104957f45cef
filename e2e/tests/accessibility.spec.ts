import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { artifactsDir } from "../playwright.config";
import { signInWithPassword } from "../support/sign-in";

const PAGES = [
  "/",
  "/rollback?target=accounts-api/staging",
  "/drill",
  "/api-reference",
  "/runbook",
  "/sign-in",
  "/rollouts/billing-api/production/2026.11.2",
  "/rollouts/accounts-api/production/2026.11.4",
];
const ADMIN = [
  "/admin/audit",
  "/admin/users",
  "/admin/tokens",
  "/admin/policies",
  "/admin/integrations",
  "/admin/notifications",
  "/admin/jobs",
  "/admin/github",
];

async function expectNoSeriousViolations(page: Page, url: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length}×, e.g. ${v.nodes[0]?.target.join(" ")})`),
    url,
  ).toEqual([]);
}

test("every page has no serious or critical accessibility violations (axe-core), light and dark", async ({ page }) => {
  test.setTimeout(120_000);
  await signInWithPassword(page);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const url of PAGES) {
      await page.goto(url);
      await expectNoSeriousViolations(page, `${url} (${scheme})`);
    }
  }
  await signInWithPassword(page, "admin@example.com");
  for (const url of [...ADMIN, "/rollouts/billing-api/production/2026.11.2"]) {
    await page.goto(url);
    await expectNoSeriousViolations(page, `${url} (signed in)`);
  }
});

test("a viewer browses: overview, a rollout with its SLO charts and timeline, the evidence", async ({
  page,
}, testInfo) => {
  await signInWithPassword(page);
  await page.goto("/");
  await page
    .getByRole("link", { name: /Move invoice e-mail to billing_email/ })
    .last()
    .click();
  await expect(page.getByRole("heading", { name: "Move invoice e-mail to billing_email" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Service level objectives" })).toBeVisible();
  await expect(page.getByRole("img", { name: /Availability: \d+ points/ })).toBeVisible();
  // The drawing itself loads after the page (recharts is kept out of its first load).
  await expect(page.getByRole("img", { name: /Availability/ }).locator(".recharts-surface")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Timeline" })).toBeVisible();
  await expect(page.locator("[data-countdown=rollback_window]")).toContainText(/h .* min left/);
  // The analyser's findings sit under the lines they concern.
  const contract = page.getByRole("figure", { name: /Contract script/ });
  await expect(contract.locator("[data-line='2'] [data-finding=drop-column]")).toContainText("info drop-column");
  await expect(page.getByRole("figure", { name: /Expand script/ })).toContainText("no findings");
  const file = path.join(artifactsDir, "rollout-viewer.png");
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach("rollout page", { path: file, contentType: "image/png" });
  const evidence = await page.request.get(`${page.url()}/evidence`);
  expect((await evidence.json()).kind).toBe("rollgate.rollout-evidence");
});
