import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";

// Issue 26, findings 9, 10, 11 and 15, through the real routes and use cases on the database:
// a replayed lease request, an event from 2100, an expand whose text Rollgate never saw, and a
// break-glass override that the lease and the contract's migration.started read alike.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { leases, overrides, rollouts, users, rolloutEvents } = await import("@rollgate/db/schema");
const { eq } = await import("drizzle-orm");
const support = await import("../../../test/integrations");
const { CONTRACT, EXPAND, sum } = support;
const events = await import("@/app/api/v1/events/route");
const leaseRoute = await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/gate/lease/route");
const { findRollout } = await import("@rollgate/db/queries/rollouts");
const { evaluateRolloutGate } = await import("@rollgate/app/gate/evaluate-rollout-gate");
const { checkEligibility } = await import("@rollgate/app/eligibility/check-eligibility");
const { migrationRuns, webhookDeliveries } = await import("@rollgate/db/schema");
const { db } = await database();
afterAll(() => closeDatabase());

type Svc = Awaited<ReturnType<typeof support.testService>>;
const keysOf = (svc: Svc, release = "r1") => ({ service: svc.slug, environment: "staging", release });

/** A signed lease request; the same Request cloned is a byte-identical replay. */
function leaseRequest(svc: Svc, body = "{}", release = "r1", id = `msg_${randomUUID()}`): Request {
  return support.signed(
    svc,
    `http://rollgate.test/api/v1/rollouts/${svc.slug}/staging/${release}/gate/lease`,
    body,
    {},
    id,
  );
}
const takeLease = (request: Request, svc: Svc, release = "r1") =>
  leaseRoute.POST(request, { params: Promise.resolve(keysOf(svc, release)) });

/** A signed event with any occurred_at and data. */
function eventRequest(svc: Svc, type: string, data: Record<string, unknown>, occurredAt: string, release = "r1") {
  const body = JSON.stringify({
    type,
    service: svc.slug,
    environment: "staging",
    release,
    occurred_at: occurredAt,
    data,
  });
  return support.signed(svc, "http://rollgate.test/api/v1/events", body);
}
const post = (request: Request) => events.POST(request, { params: Promise.resolve({}) });

async function rolloutId(svc: Svc): Promise<string> {
  const [row] = await db
    .select({ id: rollouts.id })
    .from(rollouts)
    .where(eq(rollouts.environmentId, svc.environmentId));
  return row!.id;
}

/** Release r1 with its window elapsed (the test service's window is 60 s), the gate open. */
async function openGate(svc: Svc): Promise<void> {
  await support.startWindow(svc, "r1", "1.0.0", new Date());
  await db
    .update(rollouts)
    .set({ windowStartedAt: new Date(Date.now() - 120_000) })
    .where(eq(rollouts.id, await rolloutId(svc)));
}

async function breakGlass(svc: Svc, checks: string[]): Promise<void> {
  const [person] = await db
    .insert(users)
    .values({ email: `glass-${randomUUID().slice(0, 8)}@example.com` })
    .returning();
  await db.insert(overrides).values({
    rolloutId: await rolloutId(svc),
    actorId: person!.id,
    role: "release_manager",
    justification: "The fix must ship before the weekend because the old column blocks it.",
    checks,
    createdAt: new Date(Date.now() - 1000),
    expiresAt: new Date(Date.now() + 600_000),
    confirmedAt: new Date(),
  });
}

describe("issue 26 (ingest)", () => {
  it("finding 9: an identical signed lease request replayed after its lease was voided is refused, not granted again", async () => {
    const svc = await support.testService(db, "i26-replay");
    await openGate(svc);
    const request = leaseRequest(svc);
    const first = await takeLease(request.clone(), svc);
    expect(first.status).toBe(201);
    await db
      .update(leases)
      .set({ releasedAt: new Date(), outcome: "void: test" })
      .where(eq(leases.rolloutId, await rolloutId(svc)));
    const replayed = await takeLease(request.clone(), svc);
    expect(replayed.status).toBe(409);
    expect(await replayed.json()).toMatchObject({ error: { code: "conflict", details: { reason: "replayed" } } });
    expect(
      await db
        .select()
        .from(leases)
        .where(eq(leases.rolloutId, await rolloutId(svc))),
    ).toHaveLength(1);
    // A new request (a new webhook-id) is a new decision.
    expect((await takeLease(leaseRequest(svc), svc)).status).toBe(201);
  });

  it("finding 9: a lease request for a release that does not exist is a 404 that claims no webhook-id (it changes nothing)", async () => {
    const svc = await support.testService(db, "i26-unknown");
    const id = `msg_${randomUUID()}`;
    const answer = await takeLease(leaseRequest(svc, "{}", "no-such-release", id), svc, "no-such-release");
    expect(answer.status).toBe(404);
    expect(await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, id))).toEqual([]);
  });

  it("finding 9: a lease request refused while the gate was closed cannot be replayed once it opens", async () => {
    const svc = await support.testService(db, "i26-replay-closed");
    await support.startWindow(svc, "r1", "1.0.0", new Date());
    const request = leaseRequest(svc);
    expect((await takeLease(request.clone(), svc)).status).toBe(409);
    await db
      .update(rollouts)
      .set({ windowStartedAt: new Date(Date.now() - 120_000) })
      .where(eq(rollouts.id, await rolloutId(svc)));
    const replayed = await takeLease(request.clone(), svc);
    expect(await replayed.json()).toMatchObject({ error: { details: { reason: "replayed" } } });
  });

  it("finding 9: a lease request whose signed body names another rollout is refused (the signature binds it to its path)", async () => {
    const svc = await support.testService(db, "i26-bind");
    await openGate(svc);
    const other = JSON.stringify({ service: svc.slug, environment: "staging", release: "r2" });
    const answer = await takeLease(leaseRequest(svc, other), svc);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: { code: "invalid_request", details: [{ path: "release" }] } });
    const own = JSON.stringify({ service: svc.slug, environment: "staging", release: "r1" });
    expect((await takeLease(leaseRequest(svc, own), svc)).status).toBe(201);
  });

  it("finding 9: a webhook-id used by an event cannot take a lease, and one used by a lease request is no event", async () => {
    const svc = await support.testService(db, "i26-ids");
    await openGate(svc);
    const id = `msg_${randomUUID()}`;
    expect((await takeLease(leaseRequest(svc, "{}", "r1", id), svc)).status).toBe(201);
    const body = JSON.stringify({
      type: "slo.snapshot",
      service: svc.slug,
      environment: "staging",
      release: "r1",
      occurred_at: new Date().toISOString(),
      data: { availability: 99.9, error_budget_remaining: 0.8, burn_rate: 0.2 },
    });
    const event = await post(support.signed(svc, "http://rollgate.test/api/v1/events", body, {}, id));
    expect(event.status).toBe(409);
    expect(await event.json()).toMatchObject({ error: { details: { reason: "replayed" } } });
  });

  it("finding 10: occurred_at in 2100 (or before 2000) is a 400 naming occurred_at, never a 500, and records nothing", async () => {
    const svc = await support.testService(db, "i26-time");
    await support.send(svc, "r1", "release.created", { title: "r1", author: "dev@example.com", app_version: "1.0.0" });
    const snapshot = { availability: 99.9, error_budget_remaining: 0.8, burn_rate: 0.2 };
    for (const at of ["2100-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"]) {
      const answer = await post(eventRequest(svc, "slo.snapshot", snapshot, at));
      expect(answer.status, at).toBe(400);
      expect(await answer.json()).toMatchObject({
        error: { code: "invalid_request", details: [expect.objectContaining({ path: "occurred_at" })] },
      });
    }
    const rows = await db
      .select()
      .from(rolloutEvents)
      .where(eq(rolloutEvents.rolloutId, await rolloutId(svc)));
    expect(rows.map((r) => r.type)).toEqual(["release.created"]);
    // A day's skew is still information, flagged, not refused.
    const hourAhead = new Date(Date.now() + 3_600_000).toISOString();
    expect((await post(eventRequest(svc, "slo.snapshot", snapshot, hourAhead))).status).toBe(202);
  });

  it("finding 10: an inspection claiming its server started in 2100 is a 400 naming the field", async () => {
    const svc = await support.testService(db, "i26-insp");
    await support.send(svc, "r1", "release.created", { title: "r1", author: "dev@example.com", app_version: "1.0.0" });
    const { SAMPLE_DATA } = await import("@rollgate/core/testing/samples");
    const inspection = SAMPLE_DATA["database.inspected"] as { server: Record<string, unknown> };
    const data = { ...inspection, server: { ...inspection.server, started_at: "2100-01-01T00:00:00Z" } };
    const answer = await post(eventRequest(svc, "database.inspected", data, new Date().toISOString()));
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({
      error: { details: [expect.objectContaining({ path: "data.server.started_at" })] },
    });
  });

  it("finding 11: migration.started for an expand with a checksum and no text is refused, and the gate never calls an unseen expand additive", async () => {
    const svc = await support.testService(db, "i26-unseen");
    await support.send(svc, "r1", "release.created", { title: "r1", author: "dev@example.com", app_version: "1.0.0" });
    const started = await post(
      eventRequest(
        svc,
        "migration.started",
        { phase: "expand", name: "e", checksum: sum(EXPAND) },
        new Date().toISOString(),
      ),
    );
    expect(started.status).toBe(409);
    expect(await started.json()).toMatchObject({ error: { details: { reason: "expand_unseen" } } });
    // An expand that ran before Rollgate kept its text (an older server): the check is unknown, not "additive only".
    await db
      .update(rollouts)
      .set({ state: "expanded", expandChecksum: sum(EXPAND) })
      .where(eq(rollouts.id, await rolloutId(svc)));
    const row = (await findRollout(db, keysOf(svc)))!;
    const { verdict } = await evaluateRolloutGate(db, row, new Date());
    const expand = verdict.checks.find((c) => c.id === "expand")!;
    expect(expand.status).toBe("unknown");
    expect(expand.message).not.toContain("additive only");
    // Its text, the same bytes, makes it known again: then the analyser judges it.
    await support.send(svc, "r1", "release.created", {
      title: "r1",
      author: "dev@example.com",
      app_version: "1.0.0",
      expand_sql: EXPAND,
    });
    const again = await evaluateRolloutGate(db, (await findRollout(db, keysOf(svc)))!, new Date());
    expect(again.verdict.checks.find((c) => c.id === "expand")).toMatchObject({ status: "pass" });
  });

  it("finding 11: the text sent with migration.started is kept, so the gate judges the expand it saw", async () => {
    const svc = await support.testService(db, "i26-sent");
    await support.send(svc, "r1", "release.created", { title: "r1", author: "dev@example.com", app_version: "1.0.0" });
    await support.send(svc, "r1", "migration.started", {
      phase: "expand",
      name: "e",
      checksum: sum(EXPAND),
      sql: EXPAND,
    });
    await support.send(svc, "r1", "migration.succeeded", { phase: "expand", name: "e", checksum: sum(EXPAND) });
    const row = (await findRollout(db, keysOf(svc)))!;
    expect(row.rollout.expandSql).toBe(EXPAND);
    const { verdict } = await evaluateRolloutGate(db, row, new Date());
    expect(verdict.checks.find((c) => c.id === "expand")).toMatchObject({ status: "pass" });
  });

  it("finding 11: rollback eligibility is UNKNOWN, not SAFE, when the text of the contract that ran was never seen", async () => {
    const svc = await support.testService(db, "i26-elig");
    await support.startWindow(svc, "r0", "0.9.0", new Date(Date.now() - 60_000), ["users.email"]);
    await support.startWindow(svc, "r1", "1.0.0", new Date(), ["users.email_address"]);
    // The contract that ran (its checksum recorded) is not the text the rollout holds now (a fix replaced it).
    const id = (await findRollout(db, keysOf(svc)))!.rollout.id;
    await db
      .update(rollouts)
      .set({ contractSql: "SELECT 1;", contractChecksum: sum("SELECT 1;") })
      .where(eq(rollouts.id, id));
    await db.insert(migrationRuns).values({
      rolloutId: id,
      phase: "contract",
      name: "c",
      checksum: sum(CONTRACT),
      status: "failed",
      startedAt: new Date(Date.now() + 1000),
      finishedAt: new Date(Date.now() + 2000),
    });
    const report = await checkEligibility(db, { service: svc.slug, environment: "staging", version: "0.9.0" });
    expect(report.verdict).toBe("UNKNOWN");
    expect(report.reasons[0]).toMatchObject({ kind: "unreadable_contract", release: "r1" });
  });

  it("finding 15: break-glass on the rollback window lets the lease and the contract's migration.started through alike", async () => {
    const svc = await support.testService(db, "i26-glass");
    await support.startWindow(svc, "r1", "1.0.0", new Date());
    await breakGlass(svc, ["rollback_window", "slo"]);
    const granted = await takeLease(leaseRequest(svc), svc);
    expect(granted.status).toBe(201);
    const { lease_id } = (await granted.json()) as { lease_id: string };
    const started = await post(
      eventRequest(
        svc,
        "migration.started",
        { phase: "contract", name: "c", checksum: sum(CONTRACT), lease_id },
        new Date().toISOString(),
      ),
    );
    expect(started.status, await started.clone().text()).toBe(202);
    const row = (await findRollout(db, keysOf(svc)))!;
    expect(row.rollout.state).toBe("contracting");
  });

  it("finding 15: without the override, neither the lease nor the contract goes through in the window", async () => {
    const svc = await support.testService(db, "i26-noglass");
    await support.startWindow(svc, "r1", "1.0.0", new Date());
    const refused = await takeLease(leaseRequest(svc), svc);
    expect(refused.status).toBe(409);
  });
});
