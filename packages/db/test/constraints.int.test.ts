import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { appendAudit } from "../src/queries/audit.ts";
import { apiTokens, approvals, auditEvents, leases, users, webhookDeliveries } from "../src/schema/index.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase } from "./harness.ts";

const { db } = await testDatabase();

async function makeUser() {
  const [user] = await db
    .insert(users)
    .values({ email: `${randomUUID()}@example.com` })
    .returning({ id: users.id });
  return user!;
}

describe("database invariants", () => {
  it("accepts one delivery per token and webhook-id, and refuses a second", async () => {
    const { service } = await makeRelease(db);
    const [token] = await db
      .insert(apiTokens)
      .values({
        serviceId: service.id,
        name: "ci",
        tokenPrefix: "rg_test",
        tokenHash: randomUUID(),
        secretCiphertext: "x",
        environments: ["staging"],
        scopes: ["events:write"],
        createdBy: "test",
      })
      .returning({ id: apiTokens.id });
    const delivery = { tokenId: token!.id, webhookId: "msg_1", status: "accepted", httpStatus: 202 };
    await db.insert(webhookDeliveries).values(delivery);
    await expect(db.insert(webhookDeliveries).values(delivery)).rejects.toThrow();
    const rows = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.tokenId, token!.id));
    expect(rows).toHaveLength(1);
  });

  it("holds at most one unreleased lease per rollout", async () => {
    const { rollouts } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const lease = { rolloutId, holder: "ci", acquiredAt: new Date(), expiresAt: new Date(Date.now() + 60_000) };
    const [first] = await db.insert(leases).values(lease).returning({ id: leases.id });
    await expect(db.insert(leases).values(lease)).rejects.toThrow();
    await db.update(leases).set({ releasedAt: new Date(), outcome: "succeeded" }).where(eq(leases.id, first!.id));
    await expect(db.insert(leases).values(lease)).resolves.toBeDefined();
  });

  it("records one approval per approver, rollout and contract checksum", async () => {
    const { rollouts } = await makeRelease(db);
    const approver = await makeUser();
    const approval = {
      rolloutId: rollouts[1]!.id,
      approverId: approver.id,
      role: "approver",
      decision: "approve",
      contractChecksum: "a".repeat(64),
      decidedAt: new Date(),
    };
    await db.insert(approvals).values(approval);
    await expect(db.insert(approvals).values(approval)).rejects.toThrow();
    // A changed contract script is a new thing to approve.
    await expect(db.insert(approvals).values({ ...approval, contractChecksum: "b".repeat(64) })).resolves.toBeDefined();
  });

  it("refuses to update or delete an audit entry", async () => {
    const entry = await appendAudit(db, {
      at: new Date(),
      actorType: "system",
      actorId: "test",
      action: "test.appended",
      subjectType: "test",
      subjectId: randomUUID(),
    });
    const refused = { cause: expect.objectContaining({ message: expect.stringMatching(/append-only/) }) };
    await expect(
      db.update(auditEvents).set({ action: "forged" }).where(eq(auditEvents.seq, entry.seq)),
    ).rejects.toMatchObject(refused);
    await expect(db.delete(auditEvents).where(eq(auditEvents.seq, entry.seq))).rejects.toMatchObject(refused);
    const [row] = await db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(eq(auditEvents.seq, entry.seq));
    expect(row?.action).toBe("test.appended");
  });

  it("has the indexes the dashboard reads use", async () => {
    const result = await db.execute<{ indexname: string }>(
      sql`select indexname from pg_indexes where tablename in ('slo_snapshots', 'rollout_events')`,
    );
    const names = (Array.isArray(result) ? result : (result as { rows: { indexname: string }[] }).rows).map(
      (r) => r.indexname,
    );
    expect(names).toEqual(
      expect.arrayContaining([
        "slo_snapshots_rollout_id_observed_at_index",
        "rollout_events_rollout_id_occurred_at_index",
        "rollout_events_received_timeline_idx",
      ]),
    );
  });
});
