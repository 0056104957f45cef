import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { NEXTAUTH_SECRET } from "../playwright.config";
import { makeService, query } from "../support/api";
import { AppServer } from "../support/app-server";
import { signInWithPassword, signInWithSso } from "../support/sign-in";

/** The seeded demo admin, through the local credentials provider. */
const signInAsAdmin = (page: Page) => signInWithPassword(page, "admin@example.com");

test("admin pages say who may see them", async ({ page }) => {
  await page.goto("/admin/audit");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fadmin%2Faudit/);
  await signInWithPassword(page);
  await page.goto("/admin/audit");
  await expect(page.locator("main").getByRole("alert")).toHaveText(
    "This page is for admins. Ask an admin to grant you the role.",
  );
});

test("finding 16: ROLLGATE_ADMIN_EMAILS makes the first admin while none exists, and never re-grants a role an admin revoked", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const granted = async () =>
    (
      await query(
        `select 1 from audit_events where action = 'role.granted' and actor_id = 'ROLLGATE_ADMIN_EMAILS' and data->>'email' = 'first.admin@example.com'`,
      )
    ).length;
  const isAdmin = async () =>
    (
      await query(
        `select 1 from user_roles r join users u on u.id = r.user_id where u.email = 'first.admin@example.com' and r.role = 'admin' and r.service_id is null`,
      )
    ).length === 1;
  // No admin at all, for the first part: the admins are set aside and put back afterwards.
  const admins = await query<{ user_id: string }>(
    `delete from user_roles where role = 'admin' and service_id is null returning user_id`,
  );
  const before = await granted();
  try {
    const first = await (await browser.newContext()).newPage();
    await signInWithSso(first, "first.admin@example.com", "/admin/audit");
    await expect(first.getByRole("status")).toContainText("Intact");
    expect(await granted()).toBe(before + 1);
  } finally {
    for (const { user_id } of admins)
      await query(`insert into user_roles (user_id, role) values ($1, 'admin') on conflict do nothing`, [user_id]);
  }
  // An admin exists again and takes the role away: the next sign-in does not bring it back.
  const admin = await (await browser.newContext()).newPage();
  await signInAsAdmin(admin);
  await admin.goto("/admin/users");
  const row = admin.getByRole("row").filter({ hasText: "first.admin@example.com" });
  await row.getByRole("button", { name: "Revoke admin" }).click();
  await expect(row.getByRole("button", { name: "Revoke admin" })).toHaveCount(0);
  const again = await (await browser.newContext()).newPage();
  await signInWithSso(again, "first.admin@example.com", "/admin/audit");
  await expect(again.locator("main").getByRole("alert")).toContainText("no role yet");
  expect(await isAdmin()).toBe(false);
  expect(await granted()).toBe(before + 1);
});

test("an admin verifies the audit chain, grants a role, creates and revokes a token, and edits a policy with field errors", async ({
  page,
}) => {
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
  const [role] = await query<{ role: string }>(
    `select r.role from user_roles r join users u on u.id = r.user_id where u.email = $1`,
    [email],
  );
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
  await expect(
    page
      .getByText(/^revoked/)
      .first()
      .locator("time"),
  ).toHaveAttribute("title", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

  await page.goto("/admin/policies");
  const section = page.getByRole("region", { name: `${svc.slug} · staging` });
  const editor = section.getByLabel("Policy (JSON)");
  const policy = JSON.parse(await editor.inputValue());
  await editor.fill(
    JSON.stringify({ ...policy, rollbackWindowSeconds: 0, approvals: { ...policy.approvals, required: -1 } }),
  );
  await section.getByRole("button", { name: /Save/ }).click();
  const errors = section.getByRole("alert", { name: "Field errors" });
  await expect(errors).toContainText("rollbackWindowSeconds");
  await expect(errors).toContainText("approvals.required");
  await editor.fill(JSON.stringify({ ...policy, rollbackWindowSeconds: 7200 }));
  await section.getByRole("button", { name: /Save/ }).click();
  await expect(section.getByText("Policy saved")).toBeVisible();
  const [saved] = await query<{ seconds: number }>(
    `select (policy->>'rollbackWindowSeconds')::int as seconds from environments e join services s on s.id = e.service_id where s.slug = $1 and e.name = 'staging'`,
    [svc.slug],
  );
  expect(saved).toEqual({ seconds: 7200 });
  const actions = await query<{ action: string }>(
    `select action from audit_events where action in ('role.granted', 'token.created', 'token.revoked', 'policy.changed') and data->>'by' = 'admin@example.com' order by seq desc limit 4`,
  );
  expect(actions.map((a) => a.action).sort()).toEqual([
    "policy.changed",
    "role.granted",
    "token.created",
    "token.revoked",
  ]);
});

test.describe("finding 6: a server started with the development key (its own embedded database)", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "rollgate-dev-key-"));
  // No ROLLGATE_SECRET_KEY and no ROLLGATE_AUDIT_KEY: the audit key derives from the built-in one.
  const devKey = {
    DATABASE_URL: "",
    ROLLGATE_DATA_DIR: dataDir,
    ROLLGATE_SECRET_KEY: "",
    ROLLGATE_AUDIT_KEY: "",
    ROLLGATE_ALLOW_DEV_SECRET_KEY: "1",
  };
  const server = new AppServer(0, (url) => ({
    ...devKey,
    NEXTAUTH_URL: url,
    NEXTAUTH_SECRET,
    ROLLGATE_CREDENTIALS_LOGIN: "1",
    LOG_LEVEL: "info",
  }));
  test.beforeAll(async () => {
    test.setTimeout(180_000);
    const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
    execFileSync("pnpm", ["--silent", "db:seed", "--if-empty"], {
      cwd: root,
      env: { ...process.env, ...devKey },
      stdio: "ignore",
    });
    await server.start();
  });
  test.afterAll(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("finding 6: the start-up log and /admin/audit say that the audit key is public", async ({ browser }) => {
    const records = server.output
      .join("")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toContainEqual(
      expect.objectContaining({
        level: "error",
        auditKey: "public",
        msg: expect.stringMatching(/audit key is public/),
      }),
    );
    // Every start logs the key record too: a copy of where keyed hashing began, outside the database.
    await expect.poll(() => server.output.join("").match(/"auditKeyedFrom":"\d+:[0-9a-f]{64}"/) !== null).toBe(true);
    const page = await (await browser.newContext({ baseURL: server.url })).newPage();
    await signInAsAdmin(page);
    await page.goto("/admin/audit");
    await expect(page.locator("main").getByRole("alert")).toContainText("The audit key is public");
    await expect(page.getByRole("status")).toContainText(/Intact: all \d+ entries verify/);
    await expect(page.locator("main")).toContainText("ROLLGATE_AUDIT_KEYED_FROM=");
  });
});

test("finding 16 (issue 26): an admin sees which environments are production-like and changes the flag; the overview shows it", async ({
  page,
}) => {
  test.setTimeout(60_000);
  const svc = await makeService();
  await signInAsAdmin(page);
  await page.goto("/admin/policies");
  const production = page.getByRole("region", { name: `${svc.slug} · production` });
  await expect(production.getByText("production-like", { exact: true })).toBeVisible();
  await production.getByRole("button", { name: `Mark ${svc.slug} production as not production-like` }).click();
  await expect(production.getByText("production is no longer production-like.")).toBeVisible();
  const [flag] = await query<{ production_like: boolean }>(
    `select e.production_like from environments e join services s on s.id = e.service_id where s.slug = $1 and e.name = 'production'`,
    [svc.slug],
  );
  expect(flag).toEqual({ production_like: false });
  const staging = page.getByRole("region", { name: `${svc.slug} · staging` });
  await staging.getByRole("button", { name: `Mark ${svc.slug} staging as production-like` }).click();
  await expect(staging.getByText("staging is production-like")).toBeVisible();
  await page.goto("/");
  const line = page.getByRole("region", { name: new RegExp(svc.slug) });
  await expect(line.locator("[data-environment=staging]").getByText("production-like")).toBeVisible();
  await expect(line.locator("[data-environment=production]").getByText("production-like")).toHaveCount(0);
  const [entry] = await query<{ n: number }>(
    `select count(*)::int as n from audit_events where action = 'environment.production_like_changed' and data->>'environment' in ('production', 'staging') and data->>'by' = 'admin@example.com'`,
  );
  expect(entry!.n).toBeGreaterThanOrEqual(2);
});
