import { expect, test, type Page } from "@playwright/test";
import { makeService, query } from "../support/api";
import { signInWithSso } from "../support/sign-in";

/** The seeded demo admin, through the local credentials provider. */
async function signInAsAdmin(page: Page) {
  await page.goto("/api/auth/signin");
  await page.getByLabel("E-mail").fill("admin@example.com");
  await page.getByLabel("Password").fill("rollgate-demo");
  await page.getByRole("button", { name: "Sign in with Local account" }).click();
  await expect(page.getByRole("link", { name: "Sign out" })).toBeVisible();
}

test("admin pages say who may see them", async ({ page }) => {
  await page.goto("/admin/audit");
  await expect(page.getByRole("alert").filter({ hasText: "Sign in as an admin" })).toBeVisible();
});

test("an e-mail in ROLLGATE_ADMIN_EMAILS becomes admin at its first sign-in, and it is audited", async ({ page }) => {
  await page.goto("/admin/audit");
  await signInWithSso(page, "first.admin@example.com", "Sign in");
  await page.goto("/admin/audit");
  await expect(page.getByRole("status")).toContainText("Intact");
  const granted = await query(`select action from audit_events where action = 'role.granted' and data->>'email' = 'first.admin@example.com'`);
  expect(granted).toHaveLength(1);
});

test("an admin verifies the audit chain, grants a role, creates and revokes a token, and edits a policy with field errors", async ({ page }) => {
  test.setTimeout(60_000);
  const svc = await makeService();
  await signInAsAdmin(page);

  await page.goto("/admin/audit");
  await expect(page.getByRole("status")).toContainText(/Intact: all \d+ entries verify/);

  await page.goto("/admin/users");
  const email = `olga.${svc.slug}@example.com`;
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.locator('select[name="role"]').selectOption("on_call");
  await page.getByRole("button", { name: "Grant role" }).click();
  await expect(page.getByText(`${email} is now on call.`)).toBeVisible();
  const [role] = await query<{ role: string }>(`select r.role from user_roles r join users u on u.id = r.user_id where u.email = $1`, [email]);
  expect(role).toEqual({ role: "on_call" });

  await page.goto("/admin/tokens");
  await page.locator('select[name="service"]').selectOption(svc.slug);
  await page.getByLabel("Name", { exact: true }).fill("e2e-pipeline");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByRole("status", { name: "Shown once" });
  await expect(shown).toContainText("ROLLGATE_TOKEN: rg_");
  await expect(shown).toContainText("ROLLGATE_SECRET: whsec_");
  await page.reload();
  await expect(page.getByText("ROLLGATE_SECRET: whsec_")).toHaveCount(0);
  await page.getByRole("button", { name: "Revoke e2e-pipeline" }).first().click();
  await expect(page.getByText(/^revoked/).first().locator("time")).toHaveAttribute("title", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

  await page.goto("/admin/policies");
  const section = page.getByRole("region", { name: `${svc.slug} · staging` });
  const editor = section.getByLabel("Policy (JSON)");
  const policy = JSON.parse(await editor.inputValue());
  await editor.fill(JSON.stringify({ ...policy, rollbackWindowSeconds: 0, approvals: { ...policy.approvals, required: -1 } }));
  await section.getByRole("button", { name: /Save/ }).click();
  const errors = section.getByRole("alert", { name: "Field errors" });
  await expect(errors).toContainText("rollbackWindowSeconds");
  await expect(errors).toContainText("approvals.required");
  await editor.fill(JSON.stringify({ ...policy, rollbackWindowSeconds: 7200 }));
  await section.getByRole("button", { name: /Save/ }).click();
  await expect(section.getByText("Policy saved")).toBeVisible();
  const [saved] = await query<{ seconds: number }>(`select (policy->>'rollbackWindowSeconds')::int as seconds from environments e join services s on s.id = e.service_id where s.slug = $1 and e.name = 'staging'`, [svc.slug]);
  expect(saved).toEqual({ seconds: 7200 });
  const actions = await query<{ action: string }>(`select action from audit_events where action in ('role.granted', 'token.created', 'token.revoked', 'policy.changed') and data->>'by' = 'admin@example.com' order by seq desc limit 4`);
  expect(actions.map((a) => a.action).sort()).toEqual(["policy.changed", "role.granted", "token.created", "token.revoked"]);
});
