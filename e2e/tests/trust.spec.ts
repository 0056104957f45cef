import { expect, test, type Browser, type Page } from "@playwright/test";
import {
  accept,
  approvalCount,
  CONTRACT,
  event,
  EXPAND,
  makeService,
  post,
  query,
  requestLease,
  sha,
  signed,
  startWindow,
  type TestService,
} from "../support/api";
import { signInWithSso } from "../support/sign-in";

// Attacks on the gate from a dashboard account, each named after the finding of issue 12 it
// reproduces; before the fix each one got through.

async function person(email: string, role: string, serviceSlug?: string) {
  const [user] = await query<{ id: string }>(
    `insert into users (email, name) values ($1, $2) on conflict (email) do update set name = excluded.name returning id`,
    [email, email.split("@")[0]],
  );
  const service = serviceSlug
    ? (await query<{ id: string }>(`select id from services where slug = $1`, [serviceSlug]))[0]!.id
    : null;
  await query(`insert into user_roles (user_id, role, service_id) values ($1, $2, $3) on conflict do nothing`, [
    user!.id,
    role,
    service,
  ]);
  return user!.id;
}

async function signedIn(browser: Browser, url: string, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInWithSso(page, email, url);
  await expect(page).toHaveURL(new RegExp(`${url}$`));
  return page;
}

/** Production r1 of a fresh service in its window with every signal green; no approvals needed. */
async function productionWindow(base: string, svc: TestService) {
  const send = (type: string, data: Record<string, unknown>) => accept(base, svc, type, data, "production");
  await send("release.created", {
    title: "Drop users.email",
    author: "dev.author@example.com",
    app_version: "2.0.0",
    expand_sql: EXPAND,
    contract_sql: CONTRACT,
  });
  await send("migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("backup.verified", { backup_id: "b", restore_tested: true });
  await send("app.deployed", { version: "2.0.0" });
  await send("flag.changed", { flag: "f", percent: 100 });
  await send("slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 });
}

test("finding 3: break-glass never overrides approvals, and the release's author cannot break glass", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({
    policy: {
      rollbackWindowSeconds: 3600,
      approvals: { required: 1, expirySeconds: 86_400, allowedRoles: ["approver"] },
    },
  });
  await startWindow(base, svc, { evidence: true, author: "dev.author@example.com" });
  await person("dev.author@example.com", "release_manager");
  const rita = await person(`rita.${svc.slug}@example.com`, "release_manager");
  const url = `/rollouts/${svc.slug}/staging/r1`;

  const author = await signedIn(browser, url, "dev.author@example.com");
  await expect(author.getByRole("button", { name: "Override these checks" })).toHaveCount(0);

  const page = await signedIn(browser, url, `rita.${svc.slug}@example.com`);
  const glass = page.getByRole("region", { name: "Break glass" });
  await expect(glass.getByLabel("Rollback window")).toBeVisible();
  await expect(glass.getByLabel("Approvals")).toHaveCount(0);
  await glass.getByLabel("Rollback window").check();
  await glass.getByLabel("Service level objectives").check();
  await glass
    .getByLabel(/Justification/)
    .fill("The contract fixes the ongoing billing incident and cannot wait a full hour.");
  await glass.getByRole("button", { name: "Override these checks" }).click();
  await expect(page.locator("[data-check=rollback_window]")).toContainText("overridden");
  // Approvals still stand between the override and the contract.
  await expect(page.getByText("Contract locked: 1 check(s) still open.")).toBeVisible();
  await expect(page.locator("[data-check=approvals]")).not.toContainText("overridden");
  expect(rita).toBeTruthy();
});

test("finding 3: in production an override takes effect only after a second person confirms it", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({ policy: { rollbackWindowSeconds: 3600 } });
  await productionWindow(base, svc);
  await person(`rita.${svc.slug}@example.com`, "release_manager");
  await person(`ada.${svc.slug}@example.com`, "release_manager", svc.slug);
  const url = `/rollouts/${svc.slug}/production/r1`;

  const rita = await signedIn(browser, url, `rita.${svc.slug}@example.com`);
  const glass = rita.getByRole("region", { name: "Break glass" });
  await glass.getByLabel("Rollback window").check();
  await glass.getByLabel("Service level objectives").check();
  await glass.getByLabel("Promotion order").check();
  await glass
    .getByLabel(/Justification/)
    .fill("Staging is down for maintenance and the contract fixes a production incident now.");
  await glass.getByRole("button", { name: "Override these checks" }).click();
  await expect(glass.getByText("Not in effect: waiting for a second person to confirm it.")).toBeVisible();
  await expect(rita.getByText(/Contract locked/)).toBeVisible();

  const ada = await signedIn(browser, url, `ada.${svc.slug}@example.com`);
  await ada
    .getByRole("region", { name: "Break glass" })
    .getByRole("button", { name: "Confirm as the second person" })
    .click();
  await expect(ada.getByText("Contract unlocked: every check passes.")).toBeVisible();
  const audit = await query<{ action: string }>(
    `select action from audit_events where action in ('override.break_glass', 'override.confirmed') and data->>'email' in ($1, $2) order by seq`,
    [`rita.${svc.slug}@example.com`, `ada.${svc.slug}@example.com`],
  );
  expect(audit.map((a) => a.action)).toEqual(["override.break_glass", "override.confirmed"]);
});

test("finding 6: a release manager of another service cannot review this service's break-glass", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({ policy: { rollbackWindowSeconds: 3600 } });
  const other = await makeService();
  await startWindow(base, svc, { evidence: true, author: "dev.author@example.com" });
  await person(`rita.${svc.slug}@example.com`, "release_manager", svc.slug);
  await person(`mallory.${svc.slug}@example.com`, "release_manager", other.slug);
  await person(`mallory.${svc.slug}@example.com`, "viewer");
  const url = `/rollouts/${svc.slug}/staging/r1`;

  const rita = await signedIn(browser, url, `rita.${svc.slug}@example.com`);
  const glass = rita.getByRole("region", { name: "Break glass" });
  await glass.getByLabel("Rollback window").check();
  await glass.getByLabel("Service level objectives").check();
  await glass
    .getByLabel(/Justification/)
    .fill("The contract fixes the ongoing billing incident and cannot wait a full hour.");
  await glass.getByRole("button", { name: "Override these checks" }).click();
  await expect(glass.getByText("Awaiting review by someone else.")).toBeVisible();

  const mallory = await signedIn(browser, url, `mallory.${svc.slug}@example.com`);
  const review = mallory.getByRole("region", { name: "Break glass" });
  await review.getByLabel("Review note").fill("Looks fine to me, closing this one.");
  await review.getByRole("button", { name: "Mark reviewed" }).click();
  await expect(
    review.getByRole("alert").filter({ hasText: "release manager or an admin of this service" }),
  ).toBeVisible();
  const [open] = await query<{ n: number }>(
    `select count(*)::int as n from overrides o join rollouts r on r.id = o.rollout_id join releases l on l.id = r.release_id join services s on s.id = l.service_id where s.slug = $1 and o.reviewed_at is null`,
    [svc.slug],
  );
  expect(open).toEqual({ n: 1 });
});

test("finding 7: an author known by a forge login cannot approve through their e-mail account", async ({ browser }) => {
  test.setTimeout(60_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({
    policy: { approvals: { required: 1, expirySeconds: 86_400, allowedRoles: ["approver"] } },
  });
  const login = `octo-${svc.slug.slice(4)}`;
  await startWindow(base, svc, { evidence: true, author: `12345+${login}@users.noreply.github.com` });
  const url = `/rollouts/${svc.slug}/staging/r1`;
  // Until the login is linked, nobody is known as the author: one more approval is needed.
  const userId = await person(`octo.${svc.slug}@example.com`, "approver");
  const page = await signedIn(browser, url, `octo.${svc.slug}@example.com`);
  await expect(page.getByRole("heading", { name: /Approvals/ })).toContainText("0 of 2");
  // Signing in through OpenID linked the provider's subject to the person.
  const linked = await query<{ identity: string }>(`select identity from user_identities where user_id = $1`, [userId]);
  expect(linked.map((l) => l.identity)).toEqual([expect.stringMatching(/^oidc:http:\/\/127\.0\.0\.1:\d+\|.+/)]);
  await query(`insert into user_identities (identity, user_id) values ($1, $2)`, [`login:${login}`, userId]);
  await page.reload();
  await expect(page.getByRole("heading", { name: /Approvals/ })).toContainText("0 of 1");
  await page.getByRole("button", { name: "Approve contract" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "You are the author of this release" })).toBeVisible();
});

test("finding 15: an approval of a script that changed while the approver was reading is refused", async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({
    policy: { approvals: { required: 1, expirySeconds: 86_400, allowedRoles: ["approver"] } },
  });
  await startWindow(base, svc, { evidence: true, author: "dev.author@example.com" });
  await person(`amir.${svc.slug}@example.com`, "approver");
  const page = await signedIn(browser, `/rollouts/${svc.slug}/staging/r1`, `amir.${svc.slug}@example.com`);
  await accept(base, svc, "release.created", {
    title: "Drop users.email",
    author: "dev.author@example.com",
    app_version: "2.0.0",
    contract_sql: "DROP TABLE users;",
  });
  await page.getByRole("button", { name: "Approve contract" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The script changed while you were reading" })).toBeVisible();
  expect(await approvalCount(svc.slug)).toBe(0);
});

test("finding 3: after a failed contract, a recovery run takes a lease for the named fix script only", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService();
  await startWindow(base, svc, { evidence: true, author: "dev.author@example.com" });
  await new Promise((r) => setTimeout(r, 2200));
  const leaseFor = async () => (await requestLease(base, svc)).json();
  const { lease_id } = await leaseFor();
  await accept(base, svc, "migration.started", { phase: "contract", name: "c", checksum: sha(CONTRACT), lease_id });
  await accept(base, svc, "migration.failed", { phase: "contract", name: "c", checksum: sha(CONTRACT) });
  // Without an authorised recovery, a lease is only ever for the approved script: a retry.
  const FIX = "SET lock_timeout = '3s';\nALTER TABLE users DROP COLUMN IF EXISTS email CASCADE;\n";
  const retry = await (await requestLease(base, svc)).json();
  expect(retry).toMatchObject({ kind: "gate", checksum: sha(CONTRACT) });
  const smuggled = await post(
    base,
    signed(
      svc,
      event(svc, "migration.started", {
        phase: "contract",
        name: "fix",
        checksum: sha(FIX),
        sql: FIX,
        lease_id: retry.lease_id,
      }),
    ),
  );
  expect(smuggled.json.error.details.reason).toBe("lease_script_mismatch");

  await person(`rita.${svc.slug}@example.com`, "release_manager");
  const page = await signedIn(browser, `/rollouts/${svc.slug}/staging/r1`, `rita.${svc.slug}@example.com`);
  const glass = page.getByRole("region", { name: "Break glass" });
  await glass.getByLabel("Fix name").fill("drop-email-cascade");
  await glass.getByLabel("Fix script (SQL)").fill(FIX);
  await glass
    .getByLabel("Justification (a full sentence)")
    .fill("The contract failed on a dependent view; the fix drops it with the column now.");
  await glass.getByRole("button", { name: "Authorise this recovery run" }).click();
  await expect(glass.getByText(/authorised a recovery run of drop-email-cascade/)).toBeVisible();

  const recovery = await requestLease(base, svc);
  expect(recovery.status).toBe(201);
  const granted = await recovery.json();
  expect(granted).toMatchObject({ kind: "recovery", checksum: sha(FIX) });
  const wrong = await post(
    base,
    signed(
      svc,
      event(svc, "migration.started", {
        phase: "contract",
        name: "c",
        checksum: sha(CONTRACT),
        lease_id: granted.lease_id,
      }),
    ),
  );
  expect(wrong.json.error.details.reason).toBe("lease_script_mismatch");
  const { lease_id: again } = await (await requestLease(base, svc)).json();
  await accept(base, svc, "migration.started", {
    phase: "contract",
    name: "drop-email-cascade",
    checksum: sha(FIX),
    sql: FIX,
    lease_id: again,
  });
  const [rollout] = await query<{ state: string; contract_sql: string }>(
    `select r.state, r.contract_sql from rollouts r join releases l on l.id = r.release_id join services s on s.id = l.service_id join environments e on e.id = r.environment_id where s.slug = $1 and e.name = 'staging'`,
    [svc.slug],
  );
  expect(rollout).toEqual({ state: "contracting", contract_sql: FIX });
  const audit = await query<{ action: string }>(
    `select a.action from audit_events a join rollouts r on r.id = a.rollout_id join releases l on l.id = r.release_id join services s on s.id = l.service_id where s.slug = $1 and a.action in ('override.recovery', 'lease.granted_for_recovery') order by seq`,
    [svc.slug],
  );
  expect(audit.map((a) => a.action)).toEqual([
    "override.recovery",
    "lease.granted_for_recovery",
    "lease.granted_for_recovery",
  ]);
});
