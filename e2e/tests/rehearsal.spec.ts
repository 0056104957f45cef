import { execFile } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import {
  CONTRACT,
  EXPAND,
  accept,
  event,
  makeService,
  post,
  requestLease,
  sha,
  signed,
  type TestService,
} from "../support/api";
import { signInWithPassword } from "../support/sign-in";

// A rehearsal's proof on "Can I roll back?": 1.9.0 declared that it reads only users.id, so the
// name match finds nothing the contract removed, but the real `rollgate rehearse` (the workspace
// CLI, with the service's token) finds one of its statements failing after the contract and sends
// its report. Once that contract ran, the page answers UNSAFE, shows the statement and
// PostgreSQL's error, and says it knows by rehearsal.

// 1.9.0's statements, as pg_stat_statements prints them: the second reads the column the contract drops.
const STATEMENTS = 'SELECT "id" FROM "users" WHERE "id" = $1\nSELECT "id", "email" FROM "users" WHERE "id" = $1\n';
const BEFORE = "CREATE TABLE users (id bigint PRIMARY KEY, email text, name text NOT NULL);\n";
const bin = path.join(import.meta.dirname, "..", "..", "packages", "cli", "bin", "rollgate.js");

/** `rollgate rehearse` as a pipeline runs it, with the service's token: it prints its table and sends its report. */
async function rehearse(base: string, svc: TestService): Promise<{ code: number | null; out: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "rollgate-rehearse-"));
  await mkdir(path.join(dir, "migrations"));
  await writeFile(path.join(dir, "migrations", "0001_users.sql"), BEFORE);
  await writeFile(path.join(dir, "expand.sql"), EXPAND);
  await writeFile(path.join(dir, "contract.sql"), CONTRACT);
  await writeFile(path.join(dir, "statements.txt"), STATEMENTS);
  const args = ["rehearse", "--migrations", "migrations", "--expand", "expand.sql", "--contract", "contract.sql"];
  args.push("--statements", "statements.txt", "--version", "1.9.0");
  args.push("--service", svc.slug, "--environment", "staging", "--release", "r1");
  const env = { ...process.env, ROLLGATE_URL: base, ROLLGATE_TOKEN: svc.token, ROLLGATE_SECRET: svc.secret };
  return new Promise((resolve) =>
    execFile(process.execPath, [bin, ...args], { cwd: dir, env }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code as number) : 0, out: stdout + stderr }),
    ),
  );
}

test("rollgate rehearse finds a proof and sends it: Can I roll back? turns UNSAFE with the statement shown", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService();
  const previous = async (type: string, data: Record<string, unknown>) =>
    expect((await post(base, signed(svc, event(svc, type, data, "r0")))).status).toBe(202);
  const noop = "SELECT 1;";
  await previous("release.created", {
    title: "Previous",
    author: "dev@example.com",
    app_version: "1.9.0",
    expand_sql: noop,
  });
  await previous("migration.started", { phase: "expand", name: "e0", checksum: sha(noop) });
  await previous("migration.succeeded", { phase: "expand", name: "e0", checksum: sha(noop) });
  await previous("app.deployed", { version: "1.9.0", manifest: ["users.id"] });

  const send = (type: string, data: Record<string, unknown>) => accept(base, svc, type, data);
  await send("release.created", {
    title: "Drop users.email",
    author: "dev@example.com",
    app_version: "2.0.0",
    expand_sql: EXPAND,
    contract_sql: CONTRACT,
  });
  await send("migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("backup.verified", { backup_id: "b", restore_tested: true });
  await send("app.deployed", { version: "2.0.0", manifest: ["users.id", "users.email_address"] });
  await send("flag.changed", { flag: "f", percent: 100 });
  await send("slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 });
  const run = await rehearse(base, svc);
  expect(run.out).toContain('column "email" does not exist');
  expect(run.code, run.out).toBe(1);

  // The policy does not require a rehearsal: the check fails, informational, and the contract may run.
  await new Promise((r) => setTimeout(r, 2200));
  const granted = await requestLease(base, svc);
  expect(granted.status).toBe(201);
  const { lease_id } = (await granted.json()) as { lease_id: string };
  await send("migration.started", { phase: "contract", name: "c", checksum: sha(CONTRACT), lease_id });
  await send("migration.succeeded", { phase: "contract", name: "c", checksum: sha(CONTRACT) });

  await signInWithPassword(page, "olga.oncall@example.com");
  await page.goto(`/rollback?target=${svc.slug}/staging&version=1.9.0`);
  await expect(page.getByRole("heading", { name: "UNSAFE" })).toBeVisible();
  await expect(page.getByTestId("eligibility-basis")).toContainText("rehearsed: 2 statement(s), 1 proof(s)");
  const proof = page.getByTestId("rehearsal-proof");
  await expect(proof.locator("code")).toHaveText('SELECT "id", "email" FROM "users" WHERE "id" = $1');
  await expect(proof).toContainText('column "email" does not exist');
  await expect(page.getByRole("table")).toContainText("1.9.0");
});
