import type { Inspection, WorkloadStatement } from "@rollgate/core/contract/inspection";
import { attributeInterval, mergeObservedWorkload, usageSnapshot } from "@rollgate/core/inspect/manifests";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  findObservedWorkload,
  inspectionBefore,
  insertInspection,
  lockObservedWorkload,
  saveObservedWorkload,
} from "../src/queries/inspections.ts";
import { transaction } from "../src/transaction.ts";
import { makeRelease, makeService } from "./fixtures.ts";
import { testDatabase } from "./harness.ts";

// Observed statements (issue 29): an inspection's workload is stored beside its summary, and
// what core attributes to a version is kept per environment and version, on PGlite and PostgreSQL.

const { db } = await testDatabase();
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 2, 12, minutes));
const stmt = (id: string, calls: number, role = "app"): WorkloadStatement => ({
  id,
  text: `SELECT "email" FROM "invoices" WHERE "id" = $1 /* ${id} */`,
  calls,
  role,
});
const summary = (workload?: WorkloadStatement[]): Inspection => ({
  format: 1,
  server: { version: "16", started_at: "2026-01-01T00:00:00Z", database: "app" },
  statistics: { available: true, track: "top", stats_reset: null, dealloc: 0, statements: 0, unresolved: 0 },
  statements: [],
  usage: { invoices: "=1" },
  usage_complete: true,
  ...(workload ? { workload, workload_complete: true } : {}),
  expand: [],
  tables: [],
  sessions: [],
  duration_ms: 1,
});

async function store(rolloutId: string, environmentId: string, minutes: number, workload?: WorkloadStatement[]) {
  await insertInspection(db, {
    environmentId,
    rolloutId,
    eventId: randomUUID(),
    receivedAt: at(minutes),
    inspection: summary(workload),
  });
}

describe("observed statements in the database", () => {
  it("stores an inspection's workload apart from its summary, and null for an older CLI's", async () => {
    const made = await makeRelease(db);
    const rollout = made.rollouts[0]!;
    await store(rollout.id, rollout.environmentId, 1);
    await store(rollout.id, rollout.environmentId, 2, [stmt("11", 4)]);
    const newest = await inspectionBefore(db, rollout.environmentId, at(3));
    expect(newest?.workload).toEqual([stmt("11", 4)]);
    expect(newest?.summary).not.toHaveProperty("workload");
    expect(newest?.summary.workload_complete).toBe(true);
    const older = await inspectionBefore(db, rollout.environmentId, at(2));
    expect(older?.workload).toBeNull();
  });

  it("keeps what core attributes per environment and version, locked, merged and read back", async () => {
    const made = await makeService(db);
    const envId = made.staging.id;
    const deploys = [{ version: "1.0.0", deployedAt: at(0) }];
    const snap = (minutes: number, workload: WorkloadStatement[]) =>
      usageSnapshot(at(minutes), summary(workload), { invoices: "=1" }, workload);
    const learn = (prev: ReturnType<typeof snap>, next: ReturnType<typeof snap>) =>
      transaction(db, async (tx) => {
        const a = attributeInterval(prev, next, deploys);
        const merged = mergeObservedWorkload(await lockObservedWorkload(tx, envId, "1.0.0"), a);
        if (merged) await saveObservedWorkload(tx, envId, merged);
      });
    expect(await findObservedWorkload(db, envId, "1.0.0")).toBeNull();
    await learn(snap(1, [stmt("1", 2)]), snap(2, [stmt("1", 5), stmt("2", 1, "worker")]));
    await learn(snap(2, [stmt("1", 5), stmt("2", 1, "worker")]), snap(3, [stmt("1", 6), stmt("2", 1, "worker")]));
    expect(await findObservedWorkload(db, envId, "1.0.0")).toEqual({
      version: "1.0.0",
      statements: [stmt("1", 4), stmt("2", 1, "worker")],
      from: at(1),
      to: at(3),
      complete: true,
    });
    // Another environment of the same service, and another version, observed nothing.
    expect(await findObservedWorkload(db, made.production.id, "1.0.0")).toBeNull();
    expect(await findObservedWorkload(db, envId, "2.0.0")).toBeNull();
  });
});
