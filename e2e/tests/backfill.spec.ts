import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test, type Request as PwRequest } from "@playwright/test";
import postgres from "postgres";
import { accept, makeService, query, startWindow, type TestService } from "../support/api";
import { SAMPLE_DATA } from "../support/event-samples";
import { signInWithSso } from "../support/sign-in";

// Issue 28, "Dashboard control": a release manager pauses and resumes a backfill from the
// rollout page and the CLI's read (GET …/backfills/{id}) follows; a viewer sees no buttons, and
// the same server action forged by the viewer is refused and changes nothing. Then the real
// `rollgate backfill` against an application database on PostgreSQL: Pause in the browser stops
// it within one batch, Resume lets it finish, and the table ends as one UPDATE would leave it.

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(root, "packages", "cli", "bin", "rollgate.js");

async function grant(email: string, role: string) {
  const [user] = await query<{ id: string }>(
    `insert into users (email, name) values ($1, $2) on conflict (email) do update set name = excluded.name returning id`,
    [email, email.split("@")[0]],
  );
  await query(`insert into user_roles (user_id, role) values ($1, $2) on conflict do nothing`, [user!.id, role]);
}

/** What the CLI reads before every batch. */
async function control(base: string, svc: TestService, backfillId: string) {
  const response = await fetch(`${base}/api/v1/rollouts/${svc.slug}/staging/r1/backfills/${backfillId}`, {
    headers: { authorization: `Bearer ${svc.token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { control: string; state: string; requested_by: string | null };
}

const auditCount = async (backfillId: string) =>
  Number(
    (
      await query<{ n: string }>(
        `select count(*) as n from audit_events where subject_type = 'backfill' and subject_id = $1`,
        [backfillId],
      )
    )[0]!.n,
  );

test("a release manager pauses and resumes a backfill from the page; a viewer sees no buttons and a forged press is refused", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService();
  await startWindow(base, svc, { evidence: true });
  const backfillId = randomUUID();
  const data = (type: keyof typeof SAMPLE_DATA, patch: Record<string, unknown> = {}) => ({
    ...SAMPLE_DATA[type],
    backfill_id: backfillId,
    ...patch,
  });
  await accept(base, svc, "backfill.started", data("backfill.started"));
  await accept(base, svc, "backfill.progress", data("backfill.progress", { rows_done: 100_000, eta_s: 72 }));
  const rita = `rita.${svc.slug}@example.com`;
  const vic = `vic.${svc.slug}@example.com`;
  await grant(rita, "release_manager");
  await grant(vic, "viewer");
  const rolloutUrl = `/rollouts/${svc.slug}/staging/r1`;

  const page = await (await browser.newContext()).newPage();
  await signInWithSso(page, rita, rolloutUrl);
  const panel = page.getByRole("region", { name: "Backfill" });
  await expect(panel).toContainText("running");
  await expect(panel).toContainText("public.invoices SET billing_email = email WHERE billing_email IS NULL");
  await expect(panel.locator("[data-backfill-rows]")).toContainText("100,000 of ~1,000,000 rows done (10 %)");
  await expect(panel.locator("[data-backfill-rows]")).toContainText("12,501 rows/s");
  await expect(panel.locator("[data-backfill-rows]")).toContainText("1:12 left");
  await expect(panel.locator("[data-backfill-rows]")).toContainText("replica lag 120 ms");
  await expect(panel.getByRole("progressbar", { name: "Rows done" })).toHaveAttribute("aria-valuenow", "100000");

  // Live: the CLI's next report shows without a reload, with its throttle reason.
  await accept(
    base,
    svc,
    "backfill.progress",
    data("backfill.progress", {
      rows_done: 400_000,
      throttle: "Replica lag 900 ms, near --max-lag 1s: smaller batches.",
    }),
  );
  await expect(panel.locator("[data-backfill-rows]")).toContainText("400,000 of ~1,000,000 rows done (40 %)", {
    timeout: 15_000,
  });
  await expect(panel.locator("[data-backfill-throttle]")).toContainText("Replica lag 900 ms");

  // Pause: the page says so and the CLI's read answers pause, naming her.
  expect((await control(base, svc, backfillId)).control).toBe("run");
  const pressed = page.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined);
  await panel.getByRole("button", { name: "Pause" }).click();
  const pauseRequest: PwRequest = await pressed;
  await expect(panel.getByText("Pause requested: the backfill stops before its next batch.")).toBeVisible();
  expect(await control(base, svc, backfillId)).toMatchObject({
    control: "pause",
    state: "running",
    requested_by: rita,
  });
  await expect(panel.locator("[data-backfill-control=pause]")).toContainText(`Pause requested by ${rita}`);

  // The CLI stops and reports the pause; Resume sets it going again.
  await accept(
    base,
    svc,
    "backfill.paused",
    data("backfill.paused", { rows_done: 400_000, cause: "operator", reason: `Paused from the dashboard by ${rita}.` }),
  );
  await page.reload();
  await expect(panel.locator("[data-backfill-state]")).toHaveText("paused");
  await expect(panel.getByRole("button", { name: "Pause" })).toHaveCount(0);
  // The timeline shows the start and the pause with its reason; progress reports stay in the panel.
  const timeline = page.locator("li[data-kind=event]");
  await expect(timeline.filter({ hasText: "backfill.paused" })).toContainText(
    `at 400,000 rows: Paused from the dashboard by ${rita}.`,
  );
  await expect(timeline.filter({ hasText: "backfill.started" })).toContainText(
    "public.invoices: SET billing_email = email WHERE billing_email IS NULL, ~1,000,000 rows",
  );
  await expect(timeline.filter({ hasText: "backfill.progress" })).toHaveCount(0);
  await panel.getByRole("button", { name: "Resume" }).click();
  await expect(panel.getByText("Resume requested: the backfill goes on with its next batch.")).toBeVisible();
  expect(await control(base, svc, backfillId)).toMatchObject({ control: "run", requested_by: rita });
  expect(await auditCount(backfillId)).toBe(2);

  // A viewer sees the panel but no button.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signInWithSso(viewer, vic, rolloutUrl);
  const seen = viewer.getByRole("region", { name: "Backfill" });
  await expect(seen.locator("[data-backfill-state]")).toHaveText("paused");
  await expect(seen.getByRole("button")).toHaveCount(0);

  // The release manager's Pause, replayed byte for byte with the viewer's session: refused, nothing changes.
  const headers = { ...pauseRequest.headers() };
  delete headers.cookie;
  const forged = await viewerContext.request.post(`${base}${rolloutUrl}`, {
    headers,
    data: pauseRequest.postDataBuffer()!,
  });
  expect(forged.status()).toBe(200);
  expect(await forged.text()).toContain("Only the service's release managers and on-call engineers may pause");
  expect(await control(base, svc, backfillId)).toMatchObject({ control: "run", requested_by: rita });
  expect(await auditCount(backfillId)).toBe(2);
});

test("the real rollgate backfill obeys Pause from the browser within one batch, and Resume lets it finish", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const base = test.info().project.use.baseURL!;
  const svc = await makeService();
  await startWindow(base, svc, { evidence: true });
  const rita = `rita.${svc.slug}@example.com`;
  await grant(rita, "release_manager");
  const rolloutUrl = `/rollouts/${svc.slug}/staging/r1`;
  const page = await (await browser.newContext()).newPage();
  await signInWithSso(page, rita, rolloutUrl);

  // The application's own database, on the same PostgreSQL server as Rollgate's.
  const appName = `bf_app_${randomUUID().slice(0, 8)}`;
  const server = new URL(process.env.DATABASE_URL!);
  const admin = postgres({
    host: server.hostname,
    port: Number(server.port || 5432),
    user: server.username,
    database: "postgres",
    max: 1,
    onnotice: () => {},
  });
  await admin.unsafe(`create database ${appName}`);
  const appUrl = new URL(process.env.DATABASE_URL!);
  appUrl.pathname = `/${appName}`;
  const app = postgres(appUrl.toString(), { max: 1, onnotice: () => {} });
  const BATCH = 200;
  const ROWS = 20_000;
  let cli: ReturnType<typeof spawn> | null = null;
  try {
    await app.unsafe(`create table invoices (id bigint primary key, email text, billing_email text)`);
    await app.unsafe(
      `insert into invoices select g, 'user' || g || '@example.com', null from generate_series(1, ${ROWS}) g`,
    );
    // A batch takes about 0.2 s (1 ms a row), so the run lasts long enough to be paused mid-way.
    await app.unsafe(
      `create function slow() returns trigger language plpgsql as $$ begin perform pg_sleep(0.001); return new; end $$`,
    );
    await app.unsafe(`create trigger slow before update on invoices for each row execute function slow()`);
    const done = async () =>
      Number((await app`select count(*)::int as n from invoices where billing_email is not null`)[0]!.n);

    const lines: Array<Record<string, unknown>> = [];
    let stderr = "";
    cli = spawn(
      process.execPath,
      [
        bin,
        "backfill",
        "--database-url",
        appUrl.toString(),
        "--table",
        "invoices",
        "--set",
        "billing_email = email",
        "--where",
        "billing_email IS NULL",
        "--batch-size",
        String(BATCH),
        "--min-batch-size",
        String(BATCH),
        "--max-batch-size",
        String(BATCH),
        "--progress-every",
        "1s",
      ],
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
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let pending = "";
    cli.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split("\n");
      pending = parts.pop()!;
      for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    cli.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cli!.on("exit", (code) => resolve(code)));

    // The panel shows the real run, live.
    const panel = page.getByRole("region", { name: "Backfill" });
    await expect(panel.locator("[data-backfill-state]")).toHaveText("running", { timeout: 30_000 });
    await expect(panel).toContainText("invoices SET billing_email = email WHERE billing_email IS NULL");
    await expect.poll(done, { timeout: 30_000 }).toBeGreaterThan(5 * BATCH);

    await panel.getByRole("button", { name: "Pause" }).click();
    await expect(panel.getByText("Pause requested: the backfill stops before its next batch.")).toBeVisible();
    // Counted after the control was committed: at most the batch in flight may still land.
    const atPress = await done();
    expect(atPress, stderr).toBeLessThan(ROWS);
    await expect
      .poll(() => lines.find((l) => l.event === "backfill.paused" && l.cause === "operator"), { timeout: 15_000 })
      .toBeTruthy();
    const paused = await done();
    expect(paused - atPress).toBeLessThanOrEqual(BATCH);
    // Paused means paused: nothing moves while it waits.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await done()).toBe(paused);
    await page.reload();
    await expect(panel.locator("[data-backfill-state]")).toHaveText("paused");
    await expect(panel.locator("[data-backfill-throttle]")).toContainText("paused from the dashboard");
    await expect(panel.locator("[data-backfill-control=pause]")).toContainText(`Pause requested by ${rita}`);

    await panel.getByRole("button", { name: "Resume" }).click();
    await expect(panel.getByText("Resume requested: the backfill goes on with its next batch.")).toBeVisible();
    expect(await exited, stderr).toBe(0);
    cli = null;
    // The table is what one UPDATE would have made it, and the panel says finished.
    expect(
      Number((await app`select count(*)::int as n from invoices where billing_email is distinct from email`)[0]!.n),
    ).toBe(0);
    await page.reload();
    await expect(panel.locator("[data-backfill-state]")).toHaveText("finished");
    await expect(panel.locator("[data-backfill-rows]")).toContainText(`${ROWS.toLocaleString("en")} of`);
    const audit = await query<{ action: string }>(
      `select action from audit_events where subject_type = 'backfill' and data->>'email' = $1 order by seq`,
      [rita],
    );
    expect(audit.map((a) => a.action)).toEqual(["backfill.pause_requested", "backfill.resume_requested"]);
  } finally {
    if (cli) cli.kill("SIGKILL");
    await app.end();
    await admin.unsafe(`drop database if exists ${appName} with (force)`);
    await admin.end();
  }
});
