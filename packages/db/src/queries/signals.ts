import type { Fact } from "@rollgate/core/lifecycle";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import {
  appDeployments,
  backups,
  flagChanges,
  leases,
  migrationRuns,
  rolloutEvents,
  sloSnapshots,
} from "../schema/index.ts";
import { recordInspection } from "./inspections.ts";

export interface EventRecord {
  /** Chosen by the caller, so the delivery can name it before the event row exists. */
  eventId: string;
  rolloutId: string;
  environmentId: string;
  /** What the pipeline claims (kept as information). */
  occurredAt: Date;
  /** When the server received it: the time every fact that gates anything is recorded at. */
  receivedAt: Date;
  /** Set when the claimed time is far from receipt (flagged on the timeline and in the audit). */
  clockSkewSeconds?: number | null;
  deliveryId: string | null;
  stateBefore: string;
  stateAfter: string;
  data: Record<string, unknown>;
}

/**
 * Writes the event and the fact it carries (mapped from the wire by core's `mapEvent`). Call
 * inside the transaction that moved the rollout. Both are sent together: nothing refers to the
 * event row, so their order does not matter, and one round trip is saved.
 */
export async function recordEvent(db: Db, eventType: string, fact: Fact | null, record: EventRecord): Promise<void> {
  await Promise.all([
    db.insert(rolloutEvents).values({
      id: record.eventId,
      rolloutId: record.rolloutId,
      type: eventType,
      occurredAt: record.occurredAt,
      receivedAt: record.receivedAt,
      clockSkewSeconds: record.clockSkewSeconds ?? null,
      data: record.data,
      deliveryId: record.deliveryId,
      stateBefore: record.stateBefore,
      stateAfter: record.stateAfter,
    }),
    fact && recordFact(db, fact, record),
  ]);
}

async function recordFact(db: Db, fact: Fact, record: EventRecord): Promise<void> {
  const { rolloutId, environmentId } = record;
  // Facts the gate reads are timed by receipt, never by the pipeline's clock: a backdated
  // deploy cannot make a window look elapsed. A backup may only claim to be older.
  const occurredAt = record.receivedAt;
  switch (fact.kind) {
    case "migration_started":
      await db.insert(migrationRuns).values({
        rolloutId,
        phase: fact.phase,
        name: fact.name,
        checksum: fact.checksum,
        status: "started",
        startedAt: occurredAt,
        leaseId: fact.leaseId,
      });
      return;
    case "migration_finished": {
      const [run] = await db
        .select({ id: migrationRuns.id, startedAt: migrationRuns.startedAt })
        .from(migrationRuns)
        .where(
          and(
            eq(migrationRuns.rolloutId, rolloutId),
            eq(migrationRuns.phase, fact.phase),
            eq(migrationRuns.status, "started"),
          ),
        )
        .orderBy(desc(migrationRuns.startedAt))
        .limit(1);
      const result = {
        status: fact.status,
        finishedAt: occurredAt,
        durationMs: fact.durationMs ?? (run ? occurredAt.getTime() - run.startedAt.getTime() : null),
        exitCode: fact.exitCode ?? null,
        logTail: fact.logTail ?? null,
        logUrl: fact.logUrl ?? null,
        statements: fact.statements ?? null,
      };
      if (run) await db.update(migrationRuns).set(result).where(eq(migrationRuns.id, run.id));
      else
        await db.insert(migrationRuns).values({
          rolloutId,
          phase: fact.phase,
          name: fact.name,
          checksum: fact.checksum,
          startedAt: occurredAt,
          ...result,
        });
      // The contract's outcome ends its lease.
      if (fact.phase === "contract")
        await db
          .update(leases)
          .set({ releasedAt: occurredAt, outcome: result.status })
          .where(and(eq(leases.rolloutId, rolloutId), isNull(leases.releasedAt)));
      return;
    }
    case "deployment":
      await db.insert(appDeployments).values({
        environmentId,
        rolloutId,
        kind: fact.deployment,
        version: fact.version,
        manifest: fact.manifest,
        occurredAt,
      });
      return;
    case "flag_change":
      await db.insert(flagChanges).values({ rolloutId, flag: fact.flag, percent: fact.percent, occurredAt });
      return;
    case "slo_snapshot":
      await db.insert(sloSnapshots).values({
        rolloutId,
        observedAt: occurredAt,
        availability: fact.availability,
        errorBudgetRemaining: fact.errorBudgetRemaining,
        burnRate: fact.burnRate,
        latencyP99Ms: fact.latencyP99Ms ?? null,
      });
      return;
    case "backup":
      await db.insert(backups).values({
        environmentId,
        rolloutId,
        backupId: fact.backupId,
        restoreTested: fact.restoreTested,
        verifiedAt: record.occurredAt < record.receivedAt ? record.occurredAt : record.receivedAt,
      });
      return;
    case "inspection":
      await recordInspection(db, {
        environmentId,
        rolloutId,
        eventId: record.eventId,
        receivedAt: record.receivedAt,
        inspection: fact.inspection,
      });
      return;
  }
}
