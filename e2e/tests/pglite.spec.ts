import { expect, test, type Page } from "@playwright/test";
import { defaultPolicy } from "@rollgate/core/policy";
import { requestLease, startWindow, type TestService } from "../support/api";
import { signInWithPassword } from "../support/sign-in";

// Finding 4: on embedded PGlite the server once opened the data folder twice (one instance
// per Next bundle), so what the pages wrote the API did not see. These journeys cross from
// the UI to the API and run on PGlite (playwright.pglite.config.ts) — only UI and API, no
// side door into the database.

/** An admin creates a CI token for `service` in the UI; the page shows it once. */
async function tokenFromUi(page: Page, service: string): Promise<TestService> {
  await page.goto("/admin/tokens");
  await page.locator('select[name="service"]').selectOption(service);
  await page.getByLabel("Name", { exact: true }).fill(`pglite-${Date.now()}`);
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByRole("status", { name: "Shown once" });
  await expect(shown).toContainText("ROLLGATE_TOKEN: rg_");
  const text = (await shown.textContent()) ?? "";
  // 32 random bytes each: base64url for the token, base64 for the secret.
  const token = /rg_[A-Za-z0-9_-]{43}/.exec(text)?.[0];
  const secret = /whsec_[A-Za-z0-9+/]{43}=/.exec(text)?.[0];
  expect(token && secret, text).toBeTruthy();
  return { slug: service, token: token!, secret: secret!, tokenId: "" };
}

test("finding 4: on PGlite, a token created in the admin UI is accepted by the API @pglite", async ({ page }) => {
  const base = test.info().project.use.baseURL!;
  const ready = await (await fetch(`${base}/api/ready`)).json();
  expect(ready).toMatchObject({ database: "pglite" });
  await signInWithPassword(page, "admin@example.com");
  const svc = await tokenFromUi(page, "search-indexer");
  const gate = await fetch(`${base}/api/v1/rollouts/search-indexer/staging/r1/gate`, {
    headers: { authorization: `Bearer ${svc.token}` },
  });
  // Not 401: the API knows the token the page just created (404: no such release yet).
  expect(gate.status).toBe(404);
  await startWindow(base, svc);
});

test("finding 4: on PGlite, an approval given in the UI is seen by the API gate @pglite", async ({ browser }) => {
  test.setTimeout(90_000);
  const base = test.info().project.use.baseURL!;
  const admin = await (await browser.newContext()).newPage();
  await signInWithPassword(admin, "admin@example.com");
  // A fast staging policy for accounts-api, through the policy editor: one approval, a two-second window.
  await admin.goto("/admin/policies");
  const section = admin.getByRole("region", { name: "accounts-api · staging" });
  const policy = {
    ...defaultPolicy("staging"),
    rollbackWindowSeconds: 2,
    backupMaxAgeSeconds: 3600,
    approvals: { required: 1, expirySeconds: 86_400, allowedRoles: ["approver", "release_manager"] },
  };
  await section.getByLabel("Policy (JSON)").fill(JSON.stringify(policy));
  await section.getByRole("button", { name: /Save/ }).click();
  await expect(section.getByText("Policy saved")).toBeVisible();
  const svc = await tokenFromUi(admin, "accounts-api");
  // The author is a known person (a demo account), so one approval is all the policy needs.
  await startWindow(base, svc, { evidence: true, author: "dev.author@example.com" });
  await new Promise((r) => setTimeout(r, 2200));
  const lease = () => requestLease(base, svc);
  expect((await lease()).status).toBe(409);

  const approver = await (await browser.newContext()).newPage();
  await signInWithPassword(approver, "amir.approver@example.com");
  await approver.goto("/rollouts/accounts-api/staging/r1");
  await approver.getByRole("button", { name: "Approve contract" }).click();
  await expect(approver.getByText("Your approval is recorded.")).toBeVisible();

  const gate = await (
    await fetch(`${base}/api/v1/rollouts/accounts-api/staging/r1/gate`, {
      headers: { authorization: `Bearer ${svc.token}` },
    })
  ).json();
  expect(gate).toMatchObject({ allowed: true, approvals: { have: 1, need: 1 } });
  expect((await lease()).status).toBe(201);
  // The audit chain reads the same from a page and from the API's side of the server.
  await admin.goto("/admin/audit");
  await expect(admin.getByRole("status")).toContainText(/Intact: all \d+ entries verify/);
});
