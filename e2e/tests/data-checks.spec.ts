import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gateResponseSchema } from "@rollgate/core/contract/responses";
import { expect, test } from "@playwright/test";
import { CONTRACT, EXPAND, accept, makeService, query, requestLease, sha } from "../support/api";
import { signInWithSso } from "../support/sign-in";

// "Data is carried over" on the dashboard: a release declares data checks, the real
// `rollgate inspect` runs them against a table where the old version kept writing rows with
// only `email`, and the rollout page's gate panel fails the check naming its count and keys
// (the key column's values only: the check whose first column is `email` is counted, its
// values withheld). The approval panel says an approval cannot unlock it, and a break-glass
// attempt that slips "data" into the form is refused: the check stays failing, not overridden.

const exec = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(root, "packages", "cli", "bin", "rollgate.js");

test("a failing data check fails the gate on the page with its count, the approval panel says so, and break-glass cannot pass it", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const base = test.info().project.use.baseURL!;
  // The window stays open an hour: break-glass has a check it may override, so its form shows.
  const svc = await makeService({ policy: { rollbackWindowSeconds: 3600, database: { checks: "informational" } } });
  // The application's table, in the e2e database: ids 1–3 written by the old version after the backfill.
  const table = `invoices_${svc.slug.replace(/-/g, "_")}`;
  await query(`create table ${table} (id int primary key, email text not null, billing_email text)`);
  await query(
    `insert into ${table} select g, 'user' || g || '@example.com', case when g > 3 then 'user' || g || '@example.com' end from generate_series(1, 10) g`,
  );
  const copied = `SELECT id FROM ${table} WHERE email IS NOT NULL AND billing_email IS DISTINCT FROM email ORDER BY id`;
  const emails = `SELECT email FROM ${table} WHERE billing_email IS NULL`;

  const send = (type: string, data: Record<string, unknown>) => accept(base, svc, type, data);
  await send("release.created", {
    title: "Billing e-mail",
    author: "dev.author@example.com",
    app_version: "2.0.0",
    expand_sql: EXPAND,
    contract_sql: CONTRACT,
    data_checks: [
      { name: "billing-email-copied", sql: copied },
      { name: "emails-left", sql: emails },
    ],
  });
  await send("migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("backup.verified", { backup_id: "b", restore_tested: true });
  await send("app.deployed", { version: "2.0.0" });
  await send("flag.changed", { flag: "f", percent: 100 });
  await send("slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 });

  // The real CLI: it asks Rollgate for the declared checks, runs them, sends the summary.
  const dir = mkdtempSync(path.join(tmpdir(), "rollgate-checks-"));
  writeFileSync(path.join(dir, "contract.sql"), CONTRACT);
  const { stderr } = await exec(
    process.execPath,
    [bin, "inspect", "--database-url", process.env.DATABASE_URL!, "--contract", path.join(dir, "contract.sql")],
    {
      cwd: root,
      env: {
        ...process.env,
        ROLLGATE_URL: base,
        ROLLGATE_TOKEN: svc.token,
        ROLLGATE_SECRET: svc.secret,
        ROLLGATE_SERVICE: svc.slug,
        ROLLGATE_ENVIRONMENT: "staging",
        ROLLGATE_RELEASE: "r1",
      },
    },
  ); // exit 0: the summary was sent; the checks fail on stderr
  expect(stderr).toMatch(/data check "billing-email-copied" FAILS: 3 row\(s\) \(keys 1, 2, 3\)/);
  expect(stderr).toMatch(
    /data check "emails-left" FAILS: 3 row\(s\) \(sample keys withheld: the first column is not part of its table's primary key\)/,
  );
  expect(stderr).toContain("2 of 2 data check(s) fail");
  expect(stderr).not.toContain("@example.com");

  // Over the API: failing, naming the count; the lease is refused.
  const gate = gateResponseSchema.parse(
    await (
      await fetch(`${base}/api/v1/rollouts/${svc.slug}/staging/r1/gate`, {
        headers: { authorization: `Bearer ${svc.token}` },
      })
    ).json(),
  );
  expect(gate.allowed).toBe(false);
  const data = gate.checks.find((c) => c.id === "data")!;
  expect(data).toMatchObject({ status: "fail", title: "Data is carried over" });
  expect(data.message).toContain('"billing-email-copied" found 3 row(s) (keys 1, 2, 3)');
  expect(JSON.stringify(gate)).not.toContain("@example.com");
  expect((await requestLease(base, svc)).status).toBe(409);

  // The page, as a release manager (who may break glass).
  const email = `rm.${svc.slug}@example.com`;
  const [user] = await query<{ id: string }>(`insert into users (email) values ($1) returning id`, [email]);
  await query(`insert into user_roles (user_id, role) values ($1, 'release_manager')`, [user!.id]);
  const url = `/rollouts/${svc.slug}/staging/r1`;
  await signInWithSso(page, email, url);
  await expect(page).toHaveURL(new RegExp(`${url}$`));

  const check = page.locator("[data-check=data]");
  await expect(check).toHaveAttribute("data-status", "fail");
  await expect(check).toContainText("Data is carried over");
  await expect(check).toContainText('"billing-email-copied" found 3 row(s) (keys 1, 2, 3)');
  await expect(check.locator("[data-data-check=billing-email-copied]")).toContainText("3 row(s), keys 1, 2, 3");
  await expect(check.locator("[data-data-check=emails-left]")).toContainText(
    "3 row(s) (sample keys withheld: the first column is not part of its table's primary key)",
  );
  await expect(page.getByText(/Contract locked: \d+ check\(s\) still open\./)).toBeVisible();
  await expect(page.locator("body")).not.toContainText("user1@example.com");

  // The approval panel reflects it.
  const approvals = page.getByRole("region", { name: /Approvals/ });
  await expect(approvals.locator("[data-approval-note=data]")).toContainText(
    'Data is carried over fails: 2 of 2 data check(s) fail: "billing-email-copied" found 3 row(s)',
  );
  await expect(approvals.locator("[data-approval-note=data]")).toContainText(
    "An approval does not unlock the contract, and break-glass cannot override this check.",
  );

  // Break-glass offers the window, never the data check; a form that slips "data" in is refused.
  const glass = page.getByRole("region", { name: "Break glass" });
  await expect(glass.getByLabel("Rollback window")).toBeVisible();
  await expect(glass.getByLabel("Data is carried over")).toHaveCount(0);
  await glass.getByLabel("Rollback window").check();
  await glass.locator("fieldset").evaluate((fieldset) => {
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = "checks";
    input.value = "data";
    input.checked = true;
    fieldset.appendChild(input);
  });
  await glass
    .getByLabel(/Justification/)
    .fill("The contract must run now because the billing export is blocked by the old column.");
  await glass.getByRole("button", { name: "Override these checks" }).click();
  await expect(page.getByText(/Break-glass cannot override data/)).toBeVisible();
  await expect(check).toHaveAttribute("data-status", "fail");
  await expect(check).not.toContainText("overridden");
  expect(
    await query(`select 1 from audit_events where action = 'override.break_glass' and data->>'email' = $1`, [email]),
  ).toEqual([]);
  const after = gateResponseSchema.parse(
    await (
      await fetch(`${base}/api/v1/rollouts/${svc.slug}/staging/r1/gate`, {
        headers: { authorization: `Bearer ${svc.token}` },
      })
    ).json(),
  );
  expect(after.allowed).toBe(false);
  expect(after.checks.find((c) => c.id === "data")).toMatchObject({ status: "fail" });
  expect(after.checks.find((c) => c.id === "data")!.overridden ?? false).toBe(false);
});
