import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";

// rollback.rehearsed through the real routes and use cases: a signed rehearsal with a proof holds
// the gate (policy requireRehearsal) and makes "Can I roll back?" UNSAFE with the statement, in
// the use case and in the API's answer; a bad payload and another environment's token are refused
// with a JSON error, and nothing is stored.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { environments, migrationRuns, rollbackRehearsals, rolloutEvents } = await import("@rollgate/db/schema");
const { createApiToken } = await import("@rollgate/db/queries/tokens");
const { readDbEnv } = await import("@rollgate/db/env");
const { defaultPolicy } = await import("@rollgate/core/policy");
const { count, eq } = await import("drizzle-orm");
const support = await import("../../../test/integrations");
const { CONTRACT, sum } = support;
const events = await import("@/app/api/v1/events/route");
const eligibilityRoute = await import("@/app/api/v1/rollback-eligibility/route");
const { findRollout } = await import("@rollgate/db/queries/rollouts");
const { evaluateRolloutGate } = await import("@rollgate/app/gate/evaluate-rollout-gate");
const { checkEligibility } = await import("@rollgate/app/eligibility/check-eligibility");
const { db } = await database();
afterAll(() => closeDatabase());

type Svc = Awaited<ReturnType<typeof support.testService>>;
const PROOF = {
  statement: 'INSERT INTO "users" ("id", "email") VALUES ($1, $2)',
  error: 'null value in column "name" of relation "users" violates not-null constraint',
  sqlstate: "23502",
  step: "execute",
  calls: 812,
};
const rehearsed = (patch: Record<string, unknown> = {}) => ({
  version: "0.9.0",
  contract_checksum: sum(CONTRACT),
  source: "observed",
  statements: 5,
  passed: 4,
  noise: 0,
  unverifiable: 0,
  proofs: [PROOF],
  proof_count: 1,
  ...patch,
});
const body = (svc: Svc, data: Record<string, unknown>, environment = "staging") =>
  JSON.stringify({
    type: "rollback.rehearsed",
    service: svc.slug,
    environment,
    release: "r1",
    occurred_at: new Date().toISOString(),
    data,
  });
const post = (request: Request) => events.POST(request, { params: Promise.resolve({}) });

/** 0.9.0 (reads users.id only, so the name match finds nothing) then release r1 (1.0.0) with its window running. */
async function twoReleases(svc: Svc) {
  await support.startWindow(svc, "r0", "0.9.0", new Date(Date.now() - 60_000), ["users.id"]);
  await support.startWindow(svc, "r1", "1.0.0", new Date(), ["users.id", "users.email_address"]);
  return (await findRollout(db, { service: svc.slug, environment: "staging", release: "r1" }))!.rollout.id;
}

async function stored(rolloutId: string) {
  const [rehearsals] = await db
    .select({ n: count() })
    .from(rollbackRehearsals)
    .where(eq(rollbackRehearsals.rolloutId, rolloutId));
  const [eventRows] = await db.select({ n: count() }).from(rolloutEvents).where(eq(rolloutEvents.rolloutId, rolloutId));
  return { rehearsals: rehearsals!.n, events: eventRows!.n };
}

describe("rollback.rehearsed", () => {
  it("a signed rehearsal with a proof holds the required gate check and makes the rollback UNSAFE, the statement shown", async () => {
    const svc = await support.testService(db, "rehearse", { requireRehearsal: true });
    const rolloutId = await twoReleases(svc);
    const gateCheck = async () => {
      const row = (await findRollout(db, { service: svc.slug, environment: "staging", release: "r1" }))!;
      return (await evaluateRolloutGate(db, row, new Date())).verdict.checks.find((c) => c.id === "rehearsal")!;
    };
    expect(await gateCheck()).toMatchObject({ status: "pending", blocking: true });

    const accepted = await post(support.signed(svc, "http://rollgate.test/api/v1/events", body(svc, rehearsed())));
    expect(accepted.status, await accepted.clone().text()).toBe(202);
    expect(await stored(rolloutId)).toMatchObject({ rehearsals: 1 });
    const failing = await gateCheck();
    expect(failing.status).toBe("fail");
    expect(failing.message).toContain(PROOF.statement);

    // The contract that ran is the one rehearsed: the rollback to 0.9.0 is UNSAFE, whatever the name match says.
    await db.insert(migrationRuns).values({
      rolloutId,
      phase: "contract",
      name: "c",
      checksum: sum(CONTRACT),
      status: "succeeded",
      startedAt: new Date(Date.now() + 1000),
      finishedAt: new Date(Date.now() + 2000),
    });
    const report = await checkEligibility(db, { service: svc.slug, environment: "staging", version: "0.9.0" });
    expect(report.verdict).toBe("UNSAFE");
    expect(report.reasons[0]).toMatchObject({ kind: "rehearsal_proof", proof: PROOF });
    expect(report.basis).toMatchObject({ source: "rehearsed", statements: 5, proofs: 1 });

    const answer = await eligibilityRoute.GET(
      new Request(
        `http://rollgate.test/api/v1/rollback-eligibility?service=${svc.slug}&environment=staging&version=0.9.0`,
        {
          headers: { authorization: `Bearer ${svc.token}` },
        },
      ),
      { params: Promise.resolve({}) },
    );
    expect(answer.status).toBe(200);
    const json = (await answer.json()) as {
      verdict: string;
      basis: { source: string };
      reasons: Array<{ kind: string; proof: unknown }>;
    };
    expect(json.verdict).toBe("UNSAFE");
    expect(json.basis.source).toBe("rehearsed");
    expect(json.reasons[0]).toMatchObject({
      kind: "rehearsal_proof",
      proof: { statement: PROOF.statement, error: PROOF.error, sqlstate: "23502", step: "execute", calls: 812 },
    });
  });

  it.each([
    ["counts that do not add up", rehearsed({ statements: 9 }), "data.statements"],
    ["a checksum that is not a SHA-256", rehearsed({ contract_checksum: "not-a-sum" }), "data.contract_checksum"],
    ["a proof without its error", rehearsed({ proofs: [{ statement: "select 1", step: "prepare" }] }), "data.proofs"],
    ["an unknown field", { ...rehearsed(), proofCount: 1 }, "data"],
  ])("refuses %s with a JSON error naming the field, and stores nothing", async (_name, data, field) => {
    const svc = await support.testService(db, "rehearse-bad");
    const rolloutId = await twoReleases(svc);
    const before = await stored(rolloutId);
    const refused = await post(support.signed(svc, "http://rollgate.test/api/v1/events", body(svc, data)));
    expect(refused.status).toBe(400);
    const json = (await refused.json()) as { error: { code: string; message: string; details?: unknown } };
    expect(json.error.code).toBe("invalid_request");
    expect(JSON.stringify(json.error)).toContain(field);
    expect(await stored(rolloutId)).toEqual(before);
  });

  it("refuses a token of another environment (403), and stores nothing", async () => {
    const svc = await support.testService(db, "rehearse-env");
    const rolloutId = await twoReleases(svc);
    const base = defaultPolicy("production");
    await db.insert(environments).values({ serviceId: svc.serviceId, name: "production", position: 1, policy: base });
    const production = await createApiToken(db, {
      serviceId: svc.serviceId,
      name: `prod-${randomUUID().slice(0, 8)}`,
      environments: ["production"],
      scopes: ["events:write"],
      createdBy: "test",
      secretKey: readDbEnv().ROLLGATE_SECRET_KEY,
    });
    const before = await stored(rolloutId);
    const refused = await post(
      support.signed(
        { ...svc, token: production.token, secret: production.secret },
        "http://rollgate.test/api/v1/events",
        body(svc, rehearsed()),
      ),
    );
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect(await stored(rolloutId)).toEqual(before);
  });
});
