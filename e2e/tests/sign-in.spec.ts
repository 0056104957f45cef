import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { NEXTAUTH_SECRET } from "../playwright.config";
import { query } from "../support/api";
import { AppServer } from "../support/app-server";
import { hashPassword } from "@rollgate/db/secrets";
import { passwordSignIn, randomAddress } from "../support/session";
import { DEMO_PASSWORD, signInWithPassword } from "../support/sign-in";

// Issue 16: Rollgate's own sign-in page, plain HTML forms that work without JavaScript, and
// the request id every answer carries.

const DEMO_EMAILS = [
  "rita.release@example.com",
  "amir.approver@example.com",
  "olga.oncall@example.com",
  "dev.author@example.com",
  "admin@example.com",
];

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a wrong password is a sentence on the page; the right one signs in and returns to the page asked for", async ({
    page,
  }) => {
    await page.goto("/rollback");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Frollback/);
    await page.getByLabel("E-mail").fill("dev.author@example.com");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in with password" }).click();
    await expect(page.locator("main").getByRole("alert")).toHaveText(
      "The e-mail or the password is wrong. Check both and try again.",
    );
    await page.getByLabel("E-mail").fill("dev.author@example.com");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in with password" }).click();
    // The page itself streams behind its skeleton (which only JavaScript swaps); the header says who signed in.
    await expect(page).toHaveURL(/\/rollback$/);
    await expect(page.getByRole("link", { name: "Sign out" })).toBeVisible();
  });

  test("single sign-on signs in through the provider and returns to the page asked for", async ({ page }) => {
    await page.goto("/rollback");
    await page.getByRole("button", { name: "Sign in with Test SSO" }).click();
    await page.locator('input[name="login"]').fill(`nojs.${randomUUID().slice(0, 8)}@example.com`);
    await page.locator('input[name="password"]').fill("any password: the dev login checks none");
    await page.getByRole("button", { name: /sign-in/i }).click();
    await page.getByRole("button", { name: /continue/i }).click();
    await expect(page).toHaveURL(/\/rollback$/);
    await expect(page.getByRole("link", { name: "Sign out" })).toBeVisible();
  });
});

test("the page offers single sign-on first, then local accounts, and lists the seeded demo accounts", async ({
  page,
}) => {
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { name: "Sign in to Rollgate" })).toBeVisible();
  const sso = await page.getByRole("button", { name: "Sign in with Test SSO" }).boundingBox();
  const local = await page.getByRole("button", { name: "Sign in with password" }).boundingBox();
  expect(sso!.y).toBeLessThan(local!.y);
  const demo = page.getByRole("region", { name: "Demo accounts" });
  for (const email of DEMO_EMAILS) await expect(demo).toContainText(email);
  await expect(demo).toContainText(DEMO_PASSWORD);
});

test("the audit entry of a sign-in records the id of the request that signed in", async () => {
  const requestId = `e2e-${randomUUID()}`;
  const answer = await passwordSignIn(
    test.info().project.use.baseURL!,
    "olga.oncall@example.com",
    DEMO_PASSWORD,
    randomAddress(),
    { "x-request-id": requestId },
  );
  expect(answer.cookie).toBeTruthy();
  const entries = await query<{ action: string }>(`select action from audit_events where data->>'requestId' = $1`, [
    requestId,
  ]);
  expect(entries.map((e) => e.action)).toEqual(["auth.signed_in"]);
});

test("issue 26, finding 13: five wrong passwords from another address do not pause the owner; an admin clears the owner's own pause", async ({
  page,
}) => {
  test.setTimeout(60_000);
  const base = test.info().project.use.baseURL!;
  const email = `owner.${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const [user] = await query<{ id: string }>(
    `insert into users (email, name, password_hash) values ($1, 'Owner', $2) returning id`,
    [email, hashPassword(password)],
  );
  await query(`insert into user_roles (user_id, role, service_id) values ($1, 'viewer', null)`, [user!.id]);

  const attacker = randomAddress();
  for (let i = 0; i < 5; i += 1)
    expect((await passwordSignIn(base, email, "guess", attacker)).error).toBe("CredentialsSignin");
  // The attacker's address is paused for this account; the owner, elsewhere, is only slowed down a little.
  expect((await passwordSignIn(base, email, "guess", attacker)).error).toMatch(/^Paused:account:\d+$/);
  const started = performance.now();
  expect((await passwordSignIn(base, email, password, randomAddress())).cookie).toBeTruthy();
  expect(performance.now() - started).toBeLessThan(10_000);

  // The owner's own five mistakes pause the owner's address; the page says so, and an admin clears it.
  const owner = randomAddress();
  for (let i = 0; i < 5; i += 1) await passwordSignIn(base, email, "typo", owner);
  const paused = await passwordSignIn(base, email, password, owner);
  expect(paused.error).toMatch(/^Paused:account:\d+$/);
  await page.goto(paused.url);
  await expect(page.locator("main").getByRole("alert")).toHaveText(
    /^Too many failed sign-ins for this account from your network address: sign-in is paused\. Try again in 1[45] minutes, or ask an admin\.$/,
  );
  await signInWithPassword(page, "admin@example.com");
  await page.goto("/admin/users");
  const row = page.getByRole("row").filter({ hasText: email });
  await row.getByRole("button", { name: "Clear failed sign-ins" }).click();
  await expect(row.getByRole("status")).toContainText(`${email} can sign in again`);
  expect((await passwordSignIn(base, email, password, owner)).cookie).toBeTruthy();
});

test.describe("a second server on an empty embedded database (not the demo)", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "rollgate-sign-in-"));
  const server = new AppServer(0, (url) => ({
    DATABASE_URL: "",
    ROLLGATE_DATA_DIR: dataDir,
    NEXTAUTH_URL: url,
    NEXTAUTH_SECRET,
    ROLLGATE_CREDENTIALS_LOGIN: "1",
    ROLLGATE_ALLOW_DEV_SECRET_KEY: "1",
    LOG_LEVEL: "info",
  }));
  test.beforeAll(async () => {
    test.setTimeout(60_000);
    await server.start().catch((error: unknown) => {
      throw new Error(`the second server did not start: ${String(error)}\n${server.output.join("")}`);
    });
  });
  test.afterAll(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("lists no demo accounts where the seed never ran", async ({ browser }) => {
    const page = await (await browser.newContext({ baseURL: server.url })).newPage();
    await page.goto("/sign-in");
    await expect(page.getByRole("button", { name: "Sign in with password" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Demo accounts" })).toHaveCount(0);
    for (const email of DEMO_EMAILS) await expect(page.locator("main")).not.toContainText(email);
  });

  test("every answer carries a request id, which the JSON log lines carry too, without secrets or the query", async () => {
    const requestId = `e2e-${randomUUID()}`;
    const answer = await fetch(`${server.url}/api/v1/events?token=QUERY-SECRET-${requestId}`, {
      method: "POST",
      headers: {
        "x-request-id": requestId,
        authorization: "Bearer rg_HEADER-SECRET",
        cookie: "next-auth.session-token=COOKIE-SECRET",
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("x-request-id")).toBe(requestId);
    // A malformed id is replaced by one of the server's.
    const replaced = (
      await fetch(`${server.url}/api/health`, { headers: { "x-request-id": "no spaces allowed" } })
    ).headers.get("x-request-id");
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);

    await expect.poll(() => server.output.join("").includes(requestId)).toBe(true);
    const lines = server.output
      .join("")
      .split("\n")
      .filter((l) => l.includes(requestId));
    const request = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === "request");
    expect(request).toMatchObject({
      level: "info",
      requestId,
      route: "events",
      method: "POST",
      path: "/api/v1/events",
      status: 401,
    });
    const all = server.output.join("");
    for (const secret of ["QUERY-SECRET", "HEADER-SECRET", "COOKIE-SECRET"]) expect(all).not.toContain(secret);
  });
});
