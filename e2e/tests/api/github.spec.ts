import { expect, test } from "@playwright/test";
import { freshDatabase } from "@rollgate/db/fresh-database";
import { EXPAND, CONTRACT, event, post, query, sha, signed, type TestService } from "../../support/api";
import { AppServer, waitFor } from "../../support/app-server";
import { FakeGithub } from "../../support/fake-github";
import { appKey, deliver, githubWorld, protectionRulePayload } from "../../support/github";
import { signInWithPassword } from "../../support/sign-in";
import postgres from "postgres";

// The GitHub deployment protection rule end to end: a Rollgate server of its own (on its own
// database, so it can be restarted), a local GitHub serving the installation-token and
// protection-rule endpoints as documented, and GitHub's published example payloads.

const APP_ID = 123456;
const WEBHOOK_SECRET = "e2e-github-webhook-secret";
const INSTALLATION = 2311213;
const key = appKey();
const github = new FakeGithub(APP_ID, key);
let app: AppServer;
let databaseUrl: string;
let svc: TestService;
let runs = 1000;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const admin = new URL(process.env.DATABASE_URL!);
  admin.pathname = "/postgres";
  databaseUrl = await freshDatabase(admin.toString(), `int_github_e2e_${process.env.E2E_PORT ?? 3210}`);
  await github.start();
  app = new AppServer(0, { DATABASE_URL: databaseUrl, ROLLGATE_GITHUB_POLL_SECONDS: "1" });
  await app.start();
  const example = protectionRulePayload({ runId: 1, installationId: INSTALLATION });
  svc = await githubWorld(databaseUrl, {
    appId: APP_ID,
    privateKey: key,
    webhookSecret: WEBHOOK_SECRET,
    apiBaseUrl: github.url,
    repository: example.repository.full_name,
    githubEnvironment: example.environment,
    // Long enough that a loaded CI machine still delivers the deployment while the window runs.
    windowSeconds: 15,
  });
});

test.afterEach(async () => {
  const info = test.info();
  if (info.status !== info.expectedStatus) console.log(`Rollgate's output:\n${app.output.join("")}`);
});

test.afterAll(async () => {
  await app?.stop();
  await github.stop();
});

/** Events for release `release` on the dedicated server, each accepted. */
async function send(release: string, type: string, data: Record<string, unknown>) {
  const answer = await post(app.url, signed(svc, event(svc, type, data, release)));
  expect(answer.status, `${type}: ${JSON.stringify(answer.json)}`).toBe(202);
}

async function startWindow(release: string) {
  await send(release, "release.created", {
    title: "Drop users.email",
    author: "dev@example.com",
    app_version: release.slice(0, 7),
    expand_sql: EXPAND,
    contract_sql: CONTRACT,
  });
  await send(release, "migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send(release, "migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send(release, "backup.verified", { backup_id: "b", restore_tested: true });
  await send(release, "app.deployed", { version: release.slice(0, 7) });
  await send(release, "flag.changed", { flag: "f", percent: 100 });
  await send(release, "slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 });
}

const reviewsOf = (runId: number) => github.reviews.filter((r) => r.runId === runId);
const callbacks = async (sql: string, params: unknown[]) => {
  const db = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await db.unsafe(sql, params as never[]);
  } finally {
    await db.end();
  }
};

test("a webhook with a wrong signature is refused and changes nothing", async () => {
  const runId = (runs += 1);
  const payload = protectionRulePayload({ runId, installationId: INSTALLATION });
  const delivery = crypto.randomUUID();
  const answer = await deliver(app.url, "not-the-webhook-secret", payload, { delivery });
  expect(answer).toMatchObject({ status: 401, json: { error: { code: "unauthenticated" } } });
  expect(await callbacks("select id from github_deployment_callbacks where delivery_id = $1", [delivery])).toHaveLength(
    0,
  );
  expect(reviewsOf(runId)).toEqual([]);
});

test("a deployment to an environment whose gate is closed is rejected at once, with the failing checks", async () => {
  const runId = (runs += 1);
  const release = "a".repeat(40);
  await startWindow(release);
  await send(release, "slo.snapshot", { availability: 41.5, error_budget_remaining: 0, burn_rate: 30 });
  const answer = await deliver(
    app.url,
    WEBHOOK_SECRET,
    protectionRulePayload({ runId, installationId: INSTALLATION, sha: release }),
  );
  expect(answer).toMatchObject({ status: 202, json: { state: "rejected", duplicate: false } });
  expect(reviewsOf(runId)).toEqual([
    expect.objectContaining({
      owner: "Codertocat",
      repo: "Hello-World",
      environment_name: "production",
      state: "rejected",
      comment: expect.stringMatching(/closed\.\n- FAIL slo: /),
    }),
  ]);
  expect(github.refused).toEqual([]);
});

test("a deployment whose gate opens later is approved after it opens, across a restart of Rollgate", async () => {
  test.setTimeout(90_000);
  const runId = (runs += 1);
  // The example deployment's own sha names the release.
  const payload = protectionRulePayload({ runId, installationId: INSTALLATION });
  const release = payload.deployment.sha as string;
  await startWindow(release);
  const windowEnds = Date.now() + 15_000;
  const answer = await deliver(app.url, WEBHOOK_SECRET, payload);
  expect(answer).toMatchObject({ status: 202, json: { state: "pending" } });
  expect(reviewsOf(runId)).toEqual([]);

  // Rollgate stops while GitHub waits; the window ends while it is down.
  await app.stop();
  await new Promise((r) => setTimeout(r, Math.max(0, windowEnds - Date.now()) + 500));
  expect(reviewsOf(runId)).toEqual([]);
  await app.start();
  await waitFor(async () => reviewsOf(runId).length > 0, 30_000);
  expect(reviewsOf(runId)).toEqual([
    expect.objectContaining({
      environment_name: "production",
      state: "approved",
      comment: expect.stringContaining("is open"),
    }),
  ]);
  // GitHub records the review before Rollgate's answer to it returns and the row is written: wait for the row.
  const row = async () =>
    (
      await callbacks(
        "select state, release, answered_at from github_deployment_callbacks where callback_url like $1",
        [`%/runs/${runId}/%`],
      )
    )[0];
  await waitFor(async () => (await row())?.state !== "pending", 10_000);
  expect(await row()).toMatchObject({ state: "approved", release });
  // Answered once: later polls find nothing due.
  await new Promise((r) => setTimeout(r, 2500));
  expect(reviewsOf(runId)).toHaveLength(1);
  const [audit] = await callbacks(
    "select action from audit_events where action = 'github.deployment_approved' and subject_id = (select id::text from github_deployment_callbacks where callback_url like $1)",
    [`%/runs/${runId}/%`],
  );
  expect(audit).toEqual({ action: "github.deployment_approved" });
});

test("finding 1: a branch or tag named like an open release, or after its sha, is rejected, never approved", async () => {
  // The example deployment's sha is a release whose gate the test before opened.
  const opened = protectionRulePayload({ runId: 1, installationId: INSTALLATION }).deployment.sha as string;
  for (const ref of [`refs/heads/${opened}`, `refs/tags/${opened}`, opened]) {
    const runId = (runs += 1);
    const payload = protectionRulePayload({ runId, installationId: INSTALLATION, sha: "9".repeat(40) });
    payload.deployment.ref = ref;
    const answer = await deliver(app.url, WEBHOOK_SECRET, payload);
    expect(answer, ref).toMatchObject({ status: 202, json: { state: "rejected" } });
    expect(reviewsOf(runId)).toEqual([
      expect.objectContaining({
        state: "rejected",
        comment: expect.stringContaining(`recorded commit "${"9".repeat(40)}"`),
      }),
    ]);
  }
});

test("a GitHub that does not answer holds the webhook at most GITHUB_ANSWER_DEADLINE_MS; the poller answers once it does", async () => {
  test.setTimeout(90_000);
  // Rejected at once (a ref named after an open release), so the webhook itself calls GitHub.
  const opened = protectionRulePayload({ runId: 1, installationId: INSTALLATION }).deployment.sha as string;
  const runId = (runs += 1);
  const payload = protectionRulePayload({ runId, installationId: INSTALLATION, sha: "7".repeat(40) });
  payload.deployment.ref = opened;
  github.delayMs = 60_000;
  const started = Date.now();
  let answer;
  try {
    answer = await deliver(app.url, WEBHOOK_SECRET, payload);
  } finally {
    github.delayMs = 0;
  }
  // GitHub gives up on a webhook after 10 s; Rollgate stops waiting for GitHub after 5.
  expect(Date.now() - started).toBeLessThan(9_000);
  expect(answer).toMatchObject({ status: 202, json: { state: "pending", duplicate: false } });
  const [row] = await callbacks(
    "select state, last_error from github_deployment_callbacks where callback_url like $1",
    [`%/runs/${runId}/%`],
  );
  expect(row).toMatchObject({ state: "pending", last_error: "GitHub did not answer within 5 s" });
  // GitHub is back: the poller retries after its backoff and answers.
  await waitFor(async () => reviewsOf(runId).length > 0, 60_000);
  expect(reviewsOf(runId)).toEqual([expect.objectContaining({ state: "rejected" })]);
});

test("finding 8: the same body and signature under a new X-GitHub-Delivery is one callback, answered once", async () => {
  const runId = (runs += 1);
  const payload = protectionRulePayload({ runId, installationId: INSTALLATION });
  const first = await deliver(app.url, WEBHOOK_SECRET, payload);
  expect(first).toMatchObject({ status: 202, json: { state: "approved", duplicate: false } });
  const again = await deliver(app.url, WEBHOOK_SECRET, payload, { delivery: crypto.randomUUID() });
  expect(again).toMatchObject({ status: 202, json: { duplicate: true, callback_id: first.json.callback_id } });
  expect(reviewsOf(runId)).toHaveLength(1);
  expect(
    await callbacks("select id from github_deployment_callbacks where callback_url like $1", [`%/runs/${runId}/%`]),
  ).toHaveLength(1);
});

test("the main server's admin page saves the GitHub App encrypted and links an environment, audited", async ({
  page,
}) => {
  const appId = String(700000 + Math.floor(Math.random() * 99999));
  await signInWithPassword(page, "admin@example.com");
  await page.goto("/admin/github");
  await page.getByLabel("App ID").fill(appId);
  await page.getByLabel("API URL").fill(github.url);
  await page.getByLabel("Webhook secret").fill("admin-page-secret-value");
  await page.getByLabel("Private key (PEM)").fill(key);
  await page.getByRole("button", { name: "Save GitHub App" }).click();
  await expect(page.getByText("GitHub App saved.")).toBeVisible();
  const [stored] = await query<{ app_id: string; webhook_secret_ciphertext: string; private_key_ciphertext: string }>(
    "select app_id::text, webhook_secret_ciphertext, private_key_ciphertext from github_app",
  );
  expect(stored!.app_id).toBe(appId);
  expect(stored!.webhook_secret_ciphertext).not.toContain("admin-page-secret-value");
  expect(stored!.private_key_ciphertext).not.toContain("PRIVATE KEY");

  await page.getByLabel("Repository").fill("acme/billing-api");
  await page.getByLabel("GitHub environment", { exact: true }).fill(`contract-${appId}`);
  await page.locator('select[name="target"]').selectOption({ index: 0 });
  await page.getByRole("button", { name: "Link", exact: true }).click();
  await expect(page.getByText(`environment "contract-${appId}" is now guarded by`)).toBeVisible();
  await expect(page.getByRole("button", { name: `Unlink acme/billing-api contract-${appId}` })).toBeVisible();
  const actions = await query<{ action: string }>(
    "select action from audit_events where action like 'github.%' and data->>'by' = 'admin@example.com' order by seq",
  );
  expect(actions.map((a) => a.action)).toEqual(
    expect.arrayContaining(["github.app_saved", "github.environment_linked"]),
  );
});
