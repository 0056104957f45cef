import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, flagHistory, timelinePage } from "../src/queries/timeline.ts";
import { recordDecision, withdrawDecision } from "../src/queries/approvals.ts";
import { createOverride } from "../src/queries/overrides.ts";
import { createApiToken } from "../src/queries/tokens.ts";
import { upsertUser } from "../src/queries/users.ts";
import { flagChanges, rolloutEvents, webhookDeliveries } from "../src/schema/index.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase, uniqueSlug } from "./harness.ts";

const { db } = await testDatabase();

describe("timeline", () => {
  it("pages by keyset through every event but SLO snapshots, newest first, each exactly once, ties included", async () => {
    const { rollouts } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const base = Date.parse("2026-11-01T00:00:00Z");
    // Three events share each timestamp, so the id must break ties; every fourth is a snapshot.
    const rows = Array.from({ length: 120 }, (_, i) => ({
      rolloutId,
      type: i % 4 === 0 ? "slo.snapshot" : "flag.changed",
      occurredAt: new Date(base + Math.floor(i / 3) * 1000),
      receivedAt: new Date(base + Math.floor(i / 3) * 1000),
      data: { i },
      stateBefore: "planned",
      stateAfter: "planned",
    }));
    await db.insert(rolloutEvents).values(rows);

    const seen: number[] = [];
    let cursor = null;
    let pages = 0;
    do {
      const page = await timelinePage(db, rolloutId, { before: cursor, limit: 7 });
      seen.push(...page.items.map((e) => (e.data as { i: number }).i));
      expect(page.items.every((e) => e.kind === "event" && e.what !== "slo.snapshot")).toBe(true);
      // A cursor survives a trip through a URL.
      cursor = page.next ? decodeCursor(encodeCursor(page.next)) : null;
      pages += 1;
    } while (cursor);

    const expected = rows
      .map((r, i) => ({ i, at: r.occurredAt.getTime(), type: r.type }))
      .filter((r) => r.type !== "slo.snapshot");
    expect(seen).toHaveLength(expected.length);
    expect(new Set(seen).size).toBe(expected.length);
    expect(pages).toBe(Math.ceil(expected.length / 7));
    const times = seen.map((i) => base + Math.floor(i / 3) * 1000);
    expect(times.every((t, k) => k === 0 || t <= times[k - 1]!)).toBe(true);
  });

  it("interleaves approvals, withdrawals, overrides and refused deliveries with the events", async () => {
    const { rollouts, service } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const at = (m: number) => new Date(Date.parse("2026-11-05T00:00:00Z") + m * 60_000);
    const user = await upsertUser(db, { email: `${uniqueSlug("rm")}@example.com` });
    await db.insert(rolloutEvents).values({
      rolloutId,
      type: "app.deployed",
      occurredAt: at(0),
      receivedAt: at(0),
      data: {},
      stateBefore: "expanded",
      stateAfter: "deployed",
    });
    await recordDecision(db, {
      rolloutId,
      approverId: user.id,
      role: "release_manager",
      decision: "approve",
      comment: "ok",
      contractChecksum: "c1",
      at: at(1),
    });
    await withdrawDecision(db, { rolloutId, approverId: user.id, contractChecksum: "c1", at: at(2) });
    await createOverride(db, {
      rolloutId,
      actorId: user.id,
      role: "admin",
      justification: "Vendor outage; contract must run now.",
      checks: ["slo"],
      at: at(3),
      expiresAt: at(33),
      confirmed: true,
    });
    const token = await createApiToken(db, {
      serviceId: service.id,
      name: "ci",
      environments: ["staging"],
      scopes: ["events:write"],
      createdBy: "test",
      secretKey: "timeline-test-key",
    });
    await db.insert(webhookDeliveries).values({
      tokenId: token.id,
      webhookId: "msg_1",
      receivedAt: at(4),
      status: "rejected",
      httpStatus: 409,
      eventType: "migration.started",
      rolloutId,
      error: { code: "contract_without_lease" },
    });

    const { items, next } = await timelinePage(db, rolloutId);
    expect(next).toBeNull();
    expect(items.map((i) => [i.kind, i.what, i.actor === user.email])).toEqual([
      ["rejected", "migration.started", false],
      ["override", "break-glass", true],
      ["withdrawal", "approve", true],
      ["approval", "approve", true],
      ["event", "app.deployed", false],
    ]);
    expect(items[0]!.data).toEqual({ code: "contract_without_lease" });
  });

  it("places an event when it was received, not when the pipeline says it happened", async () => {
    const { rollouts } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const at = (m: number) => new Date(Date.parse("2026-11-06T00:00:00Z") + m * 60_000);
    const event = (type: string, occurredAt: Date, receivedAt: Date) => ({
      rolloutId,
      type,
      occurredAt,
      receivedAt,
      data: {},
      stateBefore: "deployed",
      stateAfter: "deployed",
    });
    await db.insert(rolloutEvents).values([
      event("app.deployed", at(0), at(0)),
      event("flag.changed", at(10), at(10)),
      // Received last, claiming to have happened before both.
      event("backup.verified", at(-60), at(20)),
    ]);
    const { items } = await timelinePage(db, rolloutId);
    expect(items.map((i) => [i.what, i.at.toISOString()])).toEqual([
      ["backup.verified", at(20).toISOString()],
      ["flag.changed", at(10).toISOString()],
      ["app.deployed", at(0).toISOString()],
    ]);
    // The keyset cursor is on receipt time too: the next page after the backdated event holds the rest.
    const page = await timelinePage(db, rolloutId, { limit: 1 });
    const rest = await timelinePage(db, rolloutId, { before: page.next, limit: 5 });
    expect(rest.items.map((i) => i.what)).toEqual(["flag.changed", "app.deployed"]);
  });

  it("treats a malformed cursor as the first page", () => {
    expect(decodeCursor("not-a-cursor")).toBeNull();
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor("2026-13-45T00:00:00.000Z_00000000-0000-0000-0000-000000000000")).toBeNull();
  });

  it("lists the flag's steps in order", async () => {
    const { rollouts } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const base = Date.parse("2026-11-01T00:00:00Z");
    await db.insert(flagChanges).values(
      [50, 0, 10, 100].map((percent, i) => ({
        rolloutId,
        flag: "new-checkout",
        percent,
        occurredAt: new Date(base + [3, 0, 1, 4][i]! * 60_000),
      })),
    );
    expect((await flagHistory(db, rolloutId)).map((f) => f.percent)).toEqual([0, 10, 50, 100]);
  });
});
