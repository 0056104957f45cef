import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gateResponseSchema } from "@rollgate/core/contract/responses";
import { expect, test, type Page } from "@playwright/test";
import { CONTRACT, EXPAND, accept, makeService, query, sha, startWindow } from "../support/api";
import { signInWithSso } from "../support/sign-in";

/** Opens a rollout page as a viewer (reading needs sign-in and a role). */
async function openAsViewer(page: Page, url: string) {
  const email = `viewer.${Math.random().toString(36).slice(2, 10)}@example.com`;
  const [user] = await query<{ id: string }>(`insert into users (email) values ($1) returning id`, [email]);
  await query(`insert into user_roles (user_id, role) values ($1, 'viewer')`, [user!.id]);
  await signInWithSso(page, email, url);
  await expect(page).toHaveURL(new RegExp(`${url}$`));
}

// The database checks on the dashboard: a `database.inspected` pair in which v1's statement
// kept running fails "nothing still uses what the contract removes" with its evidence, lock
// risk sits under the contract script's lines, and the inspections are listed. Then the real
// `rollgate inspect` against a server without pg_stat_statements makes the check unknown.

const exec = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(root, "packages", "cli", "bin", "rollgate.js");

const inspection = (calls: number, patch: Record<string, unknown> = {}) => ({
  format: 1,
  server: { version: "15.8", started_at: "2026-11-01T00:00:00Z", database: "billing" },
  statistics: {
    available: true,
    track: "all",
    stats_reset: "2026-11-01T00:00:00Z",
    dealloc: 0,
    statements: 40,
    unresolved: 0,
  },
  contract_checksum: sha(CONTRACT),
  expand_checksum: sha(EXPAND),
  statements: [
    { id: "4242", calls, text: "select u.email from users u where u.id = $1", objects: ["public.users.email"] },
  ],
  usage: { users: `=${calls},email=${calls},id=${calls}` },
  usage_complete: true,
  expand: [{ kind: "column", name: "public.users.email_address", expected: "text", state: "present" }],
  tables: [{ name: "public.users", bytes: 81920, rows: 1200 }],
  sessions: [
    {
      pid: 4711,
      state: "idle in transaction",
      table: "public.users",
      mode: "AccessShareLock",
      granted: true,
      xact_seconds: 640,
    },
  ],
  duration_ms: 35,
  ...patch,
});

test("the gate panel shows a statement that still uses the dropped column, lock risk under the contract, and the inspection history", async ({
  page,
}) => {
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({ policy: { database: { checks: "blocking" } } });
  await startWindow(base, svc, { evidence: true });
  await accept(base, svc, "database.inspected", inspection(10, { window_start: true }));
  await accept(base, svc, "database.inspected", inspection(25));

  const gate = gateResponseSchema.parse(
    await (
      await fetch(`${base}/api/v1/rollouts/${svc.slug}/staging/r1/gate`, {
        headers: { authorization: `Bearer ${svc.token}` },
      })
    ).json(),
  );
  const usage = gate.checks.find((c) => c.id === "usage")!;
  expect(usage).toMatchObject({
    status: "fail",
    blocking: true,
    details: {
      kind: "usage",
      statements: [{ id: "4242", calls_before: 10, calls_after: 25, objects: ["public.users.email"] }],
    },
  });
  expect(gate.allowed).toBe(false);
  expect(gate.checks.find((c) => c.id === "lock_risk")).toMatchObject({ status: "fail", blocking: false });
  expect(gate.executor).toMatchObject({ lock_timeout_ms: 3000, blockers: "wait" });

  await openAsViewer(page, `/rollouts/${svc.slug}/staging/r1`);
  const check = page.locator("[data-check=usage]");
  await expect(check).toHaveAttribute("data-status", "fail");
  await expect(check).toContainText("select u.email from users u where u.id = $1");
  await check.getByText(/1 statement\(s\), inspections/).click();
  await expect(check.locator("[data-statement='4242']")).toContainText(
    "15 call(s) (10 → 25) · uses public.users.email",
  );
  await expect(page.locator("[data-check=lock_risk]")).toContainText("(informational)");
  await expect(page.locator("[data-lock-risk='2']")).toContainText(
    "Lock risk: ACCESS EXCLUSIVE on users, 0.1 MiB, ~1,200 rows; blocked now by pid 4711 (idle in transaction, 640 s)",
  );
  await expect(page.locator("[data-inspection]")).toHaveCount(2);
  await expect(page.getByRole("table", { name: /Database inspections/ })).toContainText("(window start)");
});

test("rollgate inspect against a server without pg_stat_statements says how to enable it, and the check is unknown, never pass", async ({
  page,
}) => {
  test.setTimeout(60_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService({ policy: { database: { checks: "blocking" } } });
  await startWindow(base, svc, { evidence: true });
  await accept(base, svc, "database.inspected", inspection(10, { window_start: true }));
  const dir = mkdtempSync(path.join(tmpdir(), "rollgate-inspect-"));
  writeFileSync(path.join(dir, "contract.sql"), CONTRACT);
  writeFileSync(path.join(dir, "expand.sql"), EXPAND);
  const env = {
    ...process.env,
    ROLLGATE_URL: base,
    ROLLGATE_TOKEN: svc.token,
    ROLLGATE_SECRET: svc.secret,
    ROLLGATE_SERVICE: svc.slug,
    ROLLGATE_ENVIRONMENT: "staging",
    ROLLGATE_RELEASE: "r1",
  };
  // The e2e database's own server: it does not preload pg_stat_statements.
  const { stderr } = await exec(
    process.execPath,
    [
      bin,
      "inspect",
      "--database-url",
      process.env.DATABASE_URL!,
      "--contract",
      path.join(dir, "contract.sql"),
      "--expand",
      path.join(dir, "expand.sql"),
    ],
    { env, cwd: root },
  );
  expect(stderr).toMatch(
    /no statement statistics — pg_stat_statements is not loaded: add pg_stat_statements to shared_preload_libraries/,
  );

  await openAsViewer(page, `/rollouts/${svc.slug}/staging/r1`);
  const check = page.locator("[data-check=usage]");
  await expect(check).toHaveAttribute("data-status", "unknown");
  await expect(check).toContainText("shared_preload_libraries");
  await expect(page.getByText(/Contract locked/)).toBeVisible();
  await expect(page.getByRole("table", { name: /Database inspections/ })).toContainText("no pg_stat_statements");
});

test("rollgate run --database-url runs the expand itself, statement by statement, and reports each statement's duration and retries", async ({
  page,
}) => {
  test.setTimeout(60_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService();
  const app = `insp_app_${Date.now().toString(36)}`;
  await query(`create database ${app}`);
  const appUrl = new URL(process.env.DATABASE_URL!);
  appUrl.pathname = `/${app}`;
  try {
    const expand =
      "begin;\ncreate table notes (id int primary key, body text);\nalter table notes add column author text;\ncommit;\ncreate index concurrently notes_author on notes (author);\n";
    await accept(base, svc, "release.created", {
      title: "Notes",
      author: "dev@example.com",
      app_version: "2.0.0",
      expand_sql: expand,
    });
    const dir = mkdtempSync(path.join(tmpdir(), "rollgate-run-"));
    writeFileSync(path.join(dir, "expand.sql"), expand);
    const env = {
      ...process.env,
      ROLLGATE_URL: base,
      ROLLGATE_TOKEN: svc.token,
      ROLLGATE_SECRET: svc.secret,
      ROLLGATE_SERVICE: svc.slug,
      ROLLGATE_ENVIRONMENT: "staging",
      ROLLGATE_RELEASE: "r1",
    };
    const { stderr } = await exec(
      process.execPath,
      [bin, "run", "--phase", "expand", "--file", path.join(dir, "expand.sql"), "--database-url", appUrl.toString()],
      { env, cwd: root },
    );
    // CI logs get timestamped lines, one per statement.
    expect(stderr).toMatch(
      /^\d{4}-\d\d-\d\dT.* \[3\/3\] line 5: create index concurrently notes_author on notes \(author\) — ok in \d+ ms$/m,
    );
    expect(stderr).toMatch(/expand succeeded/);
    const [run] = await query<{
      status: string;
      statements: Array<{ line: number; retries: number; concurrently?: boolean }>;
    }>(
      "select m.status, m.statements from migration_runs m join rollouts r on r.id = m.rollout_id join releases l on l.id = r.release_id join services s on s.id = l.service_id where s.slug = $1",
      [svc.slug],
    );
    expect(run).toMatchObject({
      status: "succeeded",
      statements: [
        { line: 2, retries: 0 },
        { line: 3, retries: 0 },
        { line: 5, retries: 0, concurrently: true },
      ],
    });
    await openAsViewer(page, `/rollouts/${svc.slug}/staging/r1`);
    await expect(page.locator("[data-statements]")).toContainText("3 run by Rollgate, 0 lock-timeout retries");
  } finally {
    await query(`drop database if exists ${app} with (force)`);
  }
});
