import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { recordEvent } from "../src/queries/signals.ts";
import { rolloutEvents, sloSnapshots } from "../src/schema/index.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase } from "./harness.ts";

// recordEvent's statements are compiled once and bound by hand (compiled.ts), not encoded by the
// columns as drizzle's builder does: what it writes must read back as the builder's rows would.

const { db } = await testDatabase();

describe("recordEvent", () => {
  it("writes the event and an SLO snapshot that read back with their types: jsonb as an object, times as dates", async () => {
    const { rollouts, environments } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const eventId = crypto.randomUUID();
    const receivedAt = new Date("2026-11-27T04:05:06.789Z");
    const data = { availability: 99.5, nested: { text: 'quotes " and $1', list: [1, null] } };
    await db.transaction((tx) =>
      recordEvent(
        tx,
        "slo.snapshot",
        { kind: "slo_snapshot", availability: 99.5, errorBudgetRemaining: 0.25, burnRate: 1.5 },
        {
          eventId,
          rolloutId,
          environmentId: environments[0]!.id,
          occurredAt: new Date("2026-11-27T04:00:00.000Z"),
          receivedAt,
          clockSkewSeconds: -306,
          deliveryId: null,
          stateBefore: "verifying",
          stateAfter: "verifying",
          data,
        },
      ),
    );
    const [event] = await db.select().from(rolloutEvents).where(eq(rolloutEvents.id, eventId));
    expect(event).toEqual({
      id: eventId,
      rolloutId,
      type: "slo.snapshot",
      occurredAt: new Date("2026-11-27T04:00:00.000Z"),
      receivedAt,
      clockSkewSeconds: -306,
      data,
      deliveryId: null,
      stateBefore: "verifying",
      stateAfter: "verifying",
    });
    const snapshots = await db.select().from(sloSnapshots).where(eq(sloSnapshots.rolloutId, rolloutId));
    expect(snapshots).toEqual([
      expect.objectContaining({
        observedAt: receivedAt,
        availability: 99.5,
        errorBudgetRemaining: 0.25,
        burnRate: 1.5,
        latencyP99Ms: null,
        source: null,
      }),
    ]);
  });
});
