import { generateKeyPairSync, randomUUID } from "node:crypto";
import { Webhooks } from "@octokit/webhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TestService } from "../../../../test/integrations";

// The GitHub protection rule on the database, with GitHub's answer endpoint replaced by a
// recorder (e2e/tests/api/github.spec.ts drives the real octokit against a local GitHub).

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
let clock = new Date();
vi.mock("../../clock", () => ({ now: () => clock }));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const support = await import("../../../../test/integrations");
const { saveGithubApp, upsertGithubLink } = await import("@rollgate/db/queries/github");
const { encryptSecret } = await import("@rollgate/db/secrets");
const { readDbEnv } = await import("@rollgate/db/env");
const { receiveGithubWebhook } = await import("@rollgate/app/github/receive-protection-rule");
const { settlePendingGithubCallbacks } = await import("@rollgate/app/github/settle-pending-callbacks");
const { environments, services } = await import("@rollgate/db/schema");
const { defaultPolicy } = await import("@rollgate/core/policy");
const { createApiToken } = await import("@rollgate/db/queries/tokens");
const { db } = await database();
afterAll(() => closeDatabase());

const SECRET = "github-webhook-secret-for-tests";
const answers: Array<{ state: string; comment: string; environmentName: string; callbackUrl: string }> = [];
const answer = async (
  _s: unknown,
  p: { state: string; comment: string; environmentName: string; callbackUrl: string },
) => void answers.push(p);
const deps = { secretKey: readDbEnv().ROLLGATE_SECRET_KEY, answer, pollMs: 1000, logError: () => {} };
let svc: TestService;
const repo = `acme/billing-${randomUUID().slice(0, 6)}`;

async function deliver(
  payload: Record<string, unknown>,
  options: { secret?: string; delivery?: string; event?: string } = {},
) {
  const body = JSON.stringify(payload);
  const signature = await new Webhooks({ secret: options.secret ?? SECRET }).sign(body);
  const request = new Request("http://rollgate.test/api/v1/integrations/github", {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": options.event ?? "deployment_protection_rule",
      "x-github-delivery": options.delivery ?? randomUUID(),
      "x-hub-signature-256": signature,
    },
  });
  return receiveGithubWebhook({ db, request, now: clock, ...deps });
}
// Each rule is its own deployment in its own workflow run, as GitHub sends them.
let runs = 42;
const rule = (sha: string, environment = "production-contract", ref = "main") => ({
  action: "requested",
  environment,
  event: "workflow_dispatch",
  deployment_callback_url: `https://api.github.com/repos/${repo}/actions/runs/${(runs += 1)}/deployment_protection_rule`,
  deployment: { id: runs + 7000, sha, ref },
  repository: { full_name: repo },
  installation: { id: 99 },
});

beforeAll(async () => {
  svc = await support.testService(db, "gh");
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  const secretKey = readDbEnv().ROLLGATE_SECRET_KEY;
  await saveGithubApp(db, {
    appId: 1,
    privateKeyCiphertext: encryptSecret(key, secretKey),
    webhookSecretCiphertext: encryptSecret(SECRET, secretKey),
    apiBaseUrl: "https://api.github.com",
    updatedBy: "test",
    updatedAt: clock,
  });
  await upsertGithubLink(db, {
    repository: repo,
    githubEnvironment: "production-contract",
    environmentId: svc.environmentId,
    createdBy: "test",
  });
});

describe("GitHub deployment protection rules on the database", () => {
  it("refuses a wrong signature and stores nothing", async () => {
    await expect(deliver(rule("a".repeat(40)), { secret: "not-the-secret" })).rejects.toMatchObject({
      code: "unauthenticated",
    });
  });

  it("rejects at once when no release matches, with what to do", async () => {
    const received = await deliver(rule("b".repeat(40)));
    expect(received).toMatchObject({ status: 202, body: { state: "rejected" } });
    expect(answers.at(-1)).toMatchObject({
      state: "rejected",
      environmentName: "production-contract",
      comment: expect.stringContaining(`"${"b".repeat(40)}"`),
    });
  });

  it("waits while the window runs, approves once it ends, and answers a redelivery only once", async () => {
    const sha = "c".repeat(40);
    await support.startWindow(svc, sha, "2.0.0", clock);
    const delivery = randomUUID();
    expect(await deliver(rule(sha), { delivery })).toMatchObject({ body: { state: "pending" } });
    expect(await deliver(rule(sha), { delivery })).toMatchObject({ body: { duplicate: true, state: "pending" } });
    const before = answers.length;
    clock = new Date(clock.getTime() + 2000);
    expect(await settlePendingGithubCallbacks(db, clock, deps)).toEqual([
      expect.objectContaining({ state: "pending" }),
    ]);
    clock = new Date(clock.getTime() + 61_000);
    expect(await settlePendingGithubCallbacks(db, clock, deps)).toEqual([
      expect.objectContaining({ state: "approved" }),
    ]);
    expect(answers.slice(before)).toEqual([expect.objectContaining({ state: "approved" })]);
    expect(
      await settlePendingGithubCallbacks(db, new Date(clock.getTime() + 60_000), { ...deps, pollMs: 15_000 }),
    ).toEqual([]);
  });

  it("rejects a closed gate with its failing checks", async () => {
    const sha = "d".repeat(40);
    await support.startWindow(svc, sha, "3.0.0", clock);
    await support.send(svc, sha, "slo.snapshot", { availability: 40, error_budget_remaining: 0, burn_rate: 50 }, clock);
    expect(await deliver(rule(sha.slice(0, 40)))).toMatchObject({ body: { state: "rejected" } });
    expect(answers.at(-1)!.comment).toMatch(/closed\.\n- FAIL slo: /);
  });

  it("rejects an environment that is not linked, ignores other events, and refuses bad payloads without a 5xx", async () => {
    expect(await deliver(rule("e".repeat(40), "qa"))).toMatchObject({ body: { state: "rejected" } });
    expect(answers.at(-1)!.comment).toContain("not linked");
    expect(await deliver({ zen: "hi" }, { event: "ping" })).toMatchObject({ status: 200 });
    expect(await deliver({ action: "created" }, { event: "deployment" })).toMatchObject({
      status: 202,
      body: { ignored: expect.any(String) },
    });
    await expect(deliver({ action: "requested" })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(deliver({ ...rule("f".repeat(40)), environment: "x\u0000" })).rejects.toMatchObject({
      code: "invalid_request",
    });
  });

  it("finding 1: a branch or tag named like an open release does not approve a GitHub deployment", async () => {
    const release = `rgh-${randomUUID().slice(0, 6)}`;
    const commit = "1".repeat(40);
    await support.startWindow(svc, release, "4.0.0", clock);
    // A release keyed by a commit sha: a branch may be named after that sha too.
    await support.startWindow(svc, commit, "4.0.1", clock);
    clock = new Date(clock.getTime() + 61_000);
    const pushed = "9".repeat(40);
    const before = answers.length;
    for (const ref of [`refs/heads/${release}`, `refs/tags/${release}`, release, `refs/heads/${commit}`]) {
      const received = await deliver(rule(pushed, "production-contract", ref));
      expect(received.body.state, ref).not.toBe("approved");
    }
    expect(answers.slice(before).map((a) => a.state)).not.toContain("approved");
  });

  it("finding 1: a deployment whose sha no release recorded is rejected, however its ref is named", async () => {
    const received = await deliver(rule("8".repeat(40), "production-contract", "refs/heads/main"));
    expect(received).toMatchObject({ status: 202, body: { state: "rejected" } });
    expect(answers.at(-1)).toMatchObject({
      state: "rejected",
      comment: expect.stringContaining(`no release of ${svc.slug}/staging recorded commit "${"8".repeat(40)}"`),
    });
  });

  it("finding 1: a deployment of the commit sha that release.created recorded is approved once the gate opens", async () => {
    const release = `v5-${randomUUID().slice(0, 6)}`;
    const commit = "2".repeat(40);
    await support.send(
      svc,
      release,
      "release.created",
      { title: release, author: "dev@example.com", app_version: "5.0.0", commit_sha: commit },
      clock,
    );
    await support.startWindow(svc, release, "5.0.0", clock);
    clock = new Date(clock.getTime() + 61_000);
    expect(await deliver(rule(commit, "production-contract", `refs/heads/${release}-other`))).toMatchObject({
      body: { state: "approved" },
    });
    expect(answers.at(-1)!.comment).toContain(`/${release} is open`);
  });

  it("finding 8: a redelivered webhook with a new delivery id makes no second callback", async () => {
    const payload = rule("c".repeat(40));
    const first = await deliver(payload);
    const before = answers.length;
    const again = await deliver(payload, { delivery: randomUUID() });
    expect(again).toMatchObject({ status: 202, body: { duplicate: true, callback_id: first.body.callback_id } });
    expect(answers.length).toBe(before);
  });

  it("finding 1: a release records one commit: another is a 409 naming data.commit_sha, a short sha a 400", async () => {
    const release = `v6-${randomUUID().slice(0, 6)}`;
    const data = { title: release, author: "dev@example.com", app_version: "6.0.0" };
    await support.send(svc, release, "release.created", { ...data, commit_sha: "3".repeat(40) }, clock);
    await support.send(svc, release, "release.created", data, clock);
    await expect(
      support.send(svc, release, "release.created", { ...data, commit_sha: "4".repeat(40) }, clock),
    ).rejects.toThrow(/409.*data\.commit_sha/);
    await expect(
      support.send(svc, `${release}-b`, "release.created", { ...data, commit_sha: "3333333" }, clock),
    ).rejects.toThrow(/400.*data\.commit_sha/);
  });
});

// The commit sha is bound per environment, like the author (finding 12): a token scoped to
// staging that registers a release first must not choose the commit a production deployment
// is approved for. Production comes first in the promotion order here only so its gate opens
// without staging's contract; which environment is first does not matter to the attack.
describe("finding 12 × finding 1 (issue 26): a staging-only token does not choose production's commit", () => {
  async function twoEnvironments() {
    const slug = `ghsha-${randomUUID().slice(0, 8)}`;
    const [service] = await db.insert(services).values({ slug, name: slug }).returning({ id: services.id });
    const ids: Record<string, string> = {};
    for (const [position, name] of ["production", "staging"].entries()) {
      const base = defaultPolicy(name);
      const [row] = await db
        .insert(environments)
        .values({
          serviceId: service!.id,
          name,
          position,
          policy: { ...base, rollbackWindowSeconds: 60, approvals: { ...base.approvals, required: 0 } },
        })
        .returning({ id: environments.id });
      ids[name] = row!.id;
    }
    const token = async (environment: string): Promise<TestService> => {
      const created = await createApiToken(db, {
        serviceId: service!.id,
        name: environment,
        environments: [environment],
        scopes: ["events:write", "gate:read", "gate:lease"],
        createdBy: "test",
        secretKey: readDbEnv().ROLLGATE_SECRET_KEY,
      });
      return {
        slug,
        serviceId: service!.id,
        environmentId: ids[environment]!,
        token: created.token,
        secret: created.secret,
      };
    };
    const githubEnvironment = `prod-${slug}`;
    await upsertGithubLink(db, {
      repository: repo,
      githubEnvironment,
      environmentId: ids.production!,
      createdBy: "test",
    });
    return { githubEnvironment, staging: await token("staging"), production: await token("production") };
  }

  async function post(svc: TestService, environment: string, release: string, type: string, data: object) {
    const events = await import("@/app/api/v1/events/route");
    const body = JSON.stringify({
      type,
      service: svc.slug,
      environment,
      release,
      occurred_at: clock.toISOString(),
      data,
    });
    const response = await events.POST(support.signed(svc, "http://rollgate.test/api/v1/events", body), {
      params: Promise.resolve({}),
    });
    return { status: response.status, text: await response.text() };
  }

  async function openProductionWindow(svc: TestService, release: string) {
    const send = async (type: string, data: object) =>
      expect(await post(svc, "production", release, type, data)).toMatchObject({ status: 202 });
    const expand = { phase: "expand", name: "e", checksum: support.sum(support.EXPAND) };
    await send("migration.started", expand);
    await send("migration.succeeded", expand);
    await send("backup.verified", { backup_id: "b", restore_tested: true });
    await send("app.deployed", { version: "7.0.0" });
    await send("flag.changed", { flag: "f", percent: 100 });
    await send("slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 });
  }

  const data = (author: string, commit?: string) => ({
    title: "r",
    author,
    app_version: "7.0.0",
    expand_sql: support.EXPAND,
    contract_sql: support.CONTRACT,
    ...(commit ? { commit_sha: commit } : {}),
  });

  it("staging registers commit X first; production's pipeline registers Y (202): production approves Y, never X", async () => {
    const s = await twoEnvironments();
    const [decoy, real] = ["5".repeat(40), "6".repeat(40)];
    expect(await post(s.staging, "staging", "r7", "release.created", data("decoy@example.com", decoy))).toMatchObject({
      status: 202,
    });
    expect(
      await post(s.production, "production", "r7", "release.created", data("dev@example.com", real)),
    ).toMatchObject({ status: 202 });
    await openProductionWindow(s.production, "r7");
    clock = new Date(clock.getTime() + 61_000);
    expect(await deliver(rule(decoy, s.githubEnvironment))).toMatchObject({ body: { state: "rejected" } });
    expect(answers.at(-1)!.comment).toContain(`recorded commit "${decoy}"`);
    expect(await deliver(rule(real, s.githubEnvironment))).toMatchObject({ body: { state: "approved" } });
    // Production's own registration fixed production's commit: another one there is a conflict.
    const again = await post(s.production, "production", "r7", "release.created", data("dev@example.com", decoy));
    expect(again.status).toBe(409);
    expect(again.text).toContain("data.commit_sha");
  });

  it("staging registers commit X first; production registers without one: a production deployment of X is rejected", async () => {
    const s = await twoEnvironments();
    const decoy = "7".repeat(40);
    expect(await post(s.staging, "staging", "r8", "release.created", data("decoy@example.com", decoy))).toMatchObject({
      status: 202,
    });
    // Before production's pipeline registers, production's rollout is provisional: its commit counts for nothing.
    expect(await deliver(rule(decoy, s.githubEnvironment))).toMatchObject({ body: { state: "rejected" } });
    expect(await post(s.production, "production", "r8", "release.created", data("dev@example.com"))).toMatchObject({
      status: 202,
    });
    await openProductionWindow(s.production, "r8");
    clock = new Date(clock.getTime() + 61_000);
    expect(await deliver(rule(decoy, s.githubEnvironment))).toMatchObject({ body: { state: "rejected" } });
    expect(answers.filter((a) => a.environmentName === s.githubEnvironment).map((a) => a.state)).not.toContain(
      "approved",
    );
  });
});
