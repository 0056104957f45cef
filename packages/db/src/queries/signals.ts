import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appDeployments, backups, flagChanges, leases, migrationRuns, rolloutEvents, sloSnapshots } from "../schema/index.ts";

/** The facts an accepted event adds beside the rollout's projection, keyed by event type. */
export type Signal =
  | { type: "migration.started"; phase: string; name: string; checksum: string; leaseId?: string }
  | { type: "migration.succeeded" | "migration.failed"; phase: string; name: string; checksum: string; durationMs?: number; exitCode?: number; logTail?: string; logUrl?: string; leaseId?: string; statements?: Array<{ index: number; line: number; duration_ms: number; retries: number; concurrently?: boolean }> }
  | { type: "app.deployed" | "app.rolled_back"; version: string; manifest: string[] | null }
  | { type: "flag.changed"; flag: string; percent: number }
  | { type: "slo.snapshot"; availability: number; errorBudgetRemaining: number; burnRate: number; latencyP99Ms?: number }
  | { type: "backup.verified"; backupId: string; restoreTested: boolean }
  | { type: "release.created" }
  // Stored by recordInspection (queries/inspections.ts), beside the event.
  | { type: "database.inspected" };

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

/** Writes the event and the facts it carries. Call inside the transaction that moved the rollout. */
export async function recordEvent(db: Db, signal: Signal, record: EventRecord): Promise<void> {
  const { rolloutId, environmentId } = record;
  // Facts the gate reads are timed by receipt, never by the pipeline's clock: a backdated
  // deploy cannot make a window look elapsed. A backup may only claim to be older.
  const occurredAt = record.receivedAt;
  const backupAt = record.occurredAt < record.receivedAt ? record.occurredAt : record.receivedAt;
  await db.insert(rolloutEvents).values({
    id: record.eventId,
    rolloutId,
    type: signal.type,
    occurredAt: record.occurredAt,
    receivedAt: record.receivedAt,
    clockSkewSeconds: record.clockSkewSeconds ?? null,
    data: record.data,
    deliveryId: record.deliveryId,
    stateBefore: record.stateBefore,
    stateAfter: record.stateAfter,
  });
  switch (signal.type) {
    case "migration.started":
      await db.insert(migrationRuns).values({ rolloutId, phase: signal.phase, name: signal.name, checksum: signal.checksum, status: "started", startedAt: occurredAt, leaseId: signal.leaseId ?? null });
      break;
    case "migration.succeeded":
    case "migration.failed": {
      const [run] = await db
        .select({ id: migrationRuns.id, startedAt: migrationRuns.startedAt })
        .from(migrationRuns)
        .where(and(eq(migrationRuns.rolloutId, rolloutId), eq(migrationRuns.phase, signal.phase), eq(migrationRuns.status, "started")))
        .orderBy(desc(migrationRuns.startedAt))
        .limit(1);
      const result = {
        status: signal.type === "migration.succeeded" ? "succeeded" : "failed",
        finishedAt: occurredAt,
        durationMs: signal.durationMs ?? (run ? occurredAt.getTime() - run.startedAt.getTime() : null),
        exitCode: signal.exitCode ?? null,
        logTail: signal.logTail ?? null,
        logUrl: signal.logUrl ?? null,
        statements: signal.statements ?? null,
      };
      if (run) await db.update(migrationRuns).set(result).where(eq(migrationRuns.id, run.id));
      else await db.insert(migrationRuns).values({ rolloutId, phase: signal.phase, name: signal.name, checksum: signal.checksum, startedAt: occurredAt, ...result });
      // The contract's outcome ends its lease.
      if (signal.phase === "contract")
        await db.update(leases).set({ releasedAt: occurredAt, outcome: result.status }).where(and(eq(leases.rolloutId, rolloutId), isNull(leases.releasedAt)));
      break;
    }
    case "app.deployed":
    case "app.rolled_back":
      await db.insert(appDeployments).values({ environmentId, rolloutId, kind: signal.type === "app.deployed" ? "deployed" : "rolled_back", version: signal.version, manifest: signal.manifest, occurredAt });
      break;
    case "flag.changed":
      await db.insert(flagChanges).values({ rolloutId, flag: signal.flag, percent: signal.percent, occurredAt });
      break;
    case "slo.snapshot":
      await db.insert(sloSnapshots).values({ rolloutId, observedAt: occurredAt, availability: signal.availability, errorBudgetRemaining: signal.errorBudgetRemaining, burnRate: signal.burnRate, latencyP99Ms: signal.latencyP99Ms ?? null });
      break;
    case "backup.verified":
      await db.insert(backups).values({ environmentId, rolloutId, backupId: signal.backupId, restoreTested: signal.restoreTested, verifiedAt: backupAt });
      break;
  }
}
