import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it, vi } from "vitest";

// The signed ingest's guarantees, on PGlite and on PostgreSQL, now that the delivery claim and
// the rollout's lock (and the event and its fact) go out together: exactly once under
// concurrent duplicates, nothing left behind by a refused delivery, every row of an accepted one.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { rolloutEvents, sloSnapshots, webhookDeliveries, apiTokens, auditEvents } = await import("@rollgate/db/schema");
const { and, eq } = await import("drizzle-orm");
const support = await import("../../../test/integrations");
const events = await import("@/app/api/v1/events/route");
const { db } = await database();
afterAll(() => closeDatabase());

const snapshot = { availability: 99.5, error_budget_remaining: 0.7, burn_rate: 0.4, latency_p99_ms: 80 };

/** A signed `POST /api/v1/events` to staging, with the webhook-id given (the signature covers it). */
function post(
  svc: Awaited<ReturnType<typeof support.testService>>,
  type: string,
  data: Record<string, unknown>,
  release = "r1",
  id = `msg_${randomUUID()}`,
) {
  const body = JSON.stringify({
    type,
    service: svc.slug,
    environment: "staging",
    release,
    occurred_at: new Date().toISOString(),
    data,
  });
  const at = new Date();
  const headers = {
    authorization: `Bearer ${svc.token}`,
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(svc.secret).sign(id, at, body),
  };
  return new Request("http://rollgate.test/api/v1/events", { method: "POST", body, headers });
}

const send = (request: Request) => events.POST(request, { params: Promise.resolve({}) });

async function tokenId(svc: { serviceId: string }) {
  const [row] = await db.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.serviceId, svc.serviceId));
  return row!.id;
}

describe("signed ingest", () => {
  it("records an SLO snapshot with its event, delivery and receipt time, and no audit entry", async () => {
    const svc = await support.testService(db, "ing");
    await support.send(svc, "r1", "release.created", { title: "r1", author: "dev@example.com", app_version: "1.0.0" });
    const before = Date.now();
    const response = await send(post(svc, "slo.snapshot", snapshot));
    expect(response.status).toBe(202);
    const { event_id } = (await response.json()) as { event_id: string };
    const [event] = await db.select().from(rolloutEvents).where(eq(rolloutEvents.id, event_id));
    expect(event).toMatchObject({
      type: "slo.snapshot",
      stateBefore: "planned",
      stateAfter: "planned",
      data: snapshot,
    });
    const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, event!.deliveryId!));
    expect(delivery).toMatchObject({ status: "accepted", httpStatus: 202, eventId: event_id });
    const snapshots = await db.select().from(sloSnapshots).where(eq(sloSnapshots.rolloutId, event!.rolloutId));
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]).toMatchObject({
      availability: 99.5,
      errorBudgetRemaining: 0.7,
      burnRate: 0.4,
      latencyP99Ms: 80,
    });
    expect(snapshots[0]!.observedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const audit = await db.select().from(auditEvents).where(eq(auditEvents.subjectId, event!.rolloutId));
    expect(audit.map((a) => a.action)).toEqual(["rollout.release.created"]);
  });

  it("records ten concurrent deliveries with one webhook-id once, and answers the others as duplicates of it", async () => {
    const svc = await support.testService(db, "ing-dup");
    await support.send(svc, "r1", "release.created", { title: "r1", author: "dev@example.com", app_version: "1.0.0" });
    const request = post(svc, "slo.snapshot", snapshot);
    const answers = await Promise.all(Array.from({ length: 10 }, () => send(request.clone())));
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as Array<{ event_id: string; duplicate: boolean }>;
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    expect(new Set(bodies.map((b) => b.event_id)).size).toBe(1);
    const id = await tokenId(svc);
    expect(
      await db
        .select()
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.tokenId, id), eq(webhookDeliveries.eventType, "slo.snapshot"))),
    ).toHaveLength(1);
  });

  it("leaves nothing behind for an unknown release, so a retry after release.created is processed", async () => {
    const svc = await support.testService(db, "ing-404");
    const request = post(svc, "slo.snapshot", snapshot, "r9");
    const refused = await send(request.clone());
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { code: "not_found" } });
    expect(
      await db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.tokenId, await tokenId(svc))),
    ).toEqual([]);
    await support.send(svc, "r9", "release.created", { title: "r9", author: "dev@example.com", app_version: "1.0.0" });
    const retried = await send(request.clone());
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({ duplicate: false });
  });

  it("refuses an illegal transition with 409, records the refusal, and answers its redelivery the same way", async () => {
    const svc = await support.testService(db, "ing-409");
    await support.send(svc, "r1", "release.created", { title: "r1", author: "dev@example.com", app_version: "1.0.0" });
    const request = post(svc, "migration.succeeded", { phase: "expand", name: "e", checksum: support.sum("x") });
    const first = await send(request.clone());
    expect(first.status).toBe(409);
    expect(await first.json()).toMatchObject({ error: { details: { reason: "not_running", duplicate: false } } });
    const again = await send(request.clone());
    expect(await again.json()).toMatchObject({ error: { details: { reason: "not_running", duplicate: true } } });
    const refused = await db
      .select()
      .from(webhookDeliveries)
      .where(
        and(eq(webhookDeliveries.tokenId, await tokenId(svc)), eq(webhookDeliveries.eventType, "migration.succeeded")),
      );
    expect(refused).toMatchObject([{ status: "rejected", httpStatus: 409, error: { code: "not_running" } }]);
  });

  it("takes the claim before the rollout's lock in every event, so one webhook-id sent as two events racing never deadlocks", async () => {
    const svc = await support.testService(db, "ing-race");
    await support.send(svc, "r1", "release.created", { title: "r1", author: "dev@example.com", app_version: "1.0.0" });
    for (let round = 0; round < 5; round += 1) {
      // release.created locks the rollout after its claim; the snapshot sends claim and lock together.
      const id = `msg_race_${round}_${svc.slug}`;
      const answers = await Promise.all([
        send(post(svc, "release.created", { title: "r1", author: "dev@example.com", app_version: "1.0.0" }, "r1", id)),
        send(post(svc, "slo.snapshot", snapshot, "r1", id)),
      ]);
      const bodies = (await Promise.all(answers.map((a) => a.json()))) as Array<{ duplicate: boolean }>;
      expect(answers.map((a) => a.status)).toEqual([202, 202]);
      expect(bodies.filter((b) => b.duplicate)).toHaveLength(1);
    }
  });
});
