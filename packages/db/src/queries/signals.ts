import type { Fact } from "@rollgate/core/lifecycle";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appDeployments, backups, flagChanges, migrationRuns, rolloutEvents, sloSnapshots } from "../schema/index.ts";
import { recordBackfill } from "./backfills.ts";
import { compiledStatement } from "./compiled.ts";
import { insertInspection } from "./inspections.ts";
import { insertRehearsal } from "./rehearsals.ts";

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
  const inserts = eventInserts(eventType, fact, record);
  if (inserts) await Promise.all(inserts.map((statement) => db.execute(statement)));
  else await Promise.all([db.execute(eventInsert(eventType, record)), fact && recordFact(db, fact, record)]);
}

/**
 * What `recordEvent` writes, as statements to send, when that is plain inserts: an event with
 * no fact, or with an SLO snapshot (the most frequent); null when the fact reads first. A
 * transaction ends with them (`commitWith`), so they go out with its COMMIT.
 */
export function eventInserts(eventType: string, fact: Fact | null, record: EventRecord): SQL[] | null {
  if (fact === null) return [eventInsert(eventType, record)];
  if (fact.kind !== "slo_snapshot") return null;
  return [eventInsert(eventType, record), snapshotInsert(fact, record)];
}

/** Timed by receipt, as every fact the gate reads (see FACT_WRITERS). */
function snapshotInsert(fact: Extract<Fact, { kind: "slo_snapshot" }>, record: EventRecord): SQL {
  return insertSnapshot(
    record.rolloutId,
    record.receivedAt.toISOString(),
    fact.availability,
    fact.errorBudgetRemaining,
    fact.burnRate,
    fact.latencyP99Ms ?? null,
  );
}

function eventInsert(eventType: string, record: EventRecord): SQL {
  return insertEvent(
    record.eventId,
    record.rolloutId,
    eventType,
    record.occurredAt.toISOString(),
    record.receivedAt.toISOString(),
    record.clockSkewSeconds ?? null,
    JSON.stringify(record.data),
    record.deliveryId,
    record.stateBefore,
    record.stateAfter,
  );
}

// Every event writes these, inside its transaction: compiled once (compiled.ts).
const insertEvent = compiledStatement(
  (...v: [string, string, string, string, string, string, string, string, string, string]) => sql`
    insert into ${rolloutEvents} (id, rollout_id, type, occurred_at, received_at, clock_skew_seconds, data, delivery_id, state_before, state_after)
    values (${v[0]}, ${v[1]}, ${v[2]}, ${v[3]}, ${v[4]}, ${v[5]}, ${v[6]}, ${v[7]}, ${v[8]}, ${v[9]})`,
  ["\u00000", "\u00001", "\u00002", "\u00003", "\u00004", "\u00005", "\u00006", "\u00007", "\u00008", "\u00009"],
);
const insertSnapshot = compiledStatement(
  (...v: [string, string, string, string, string, string]) => sql`
    insert into ${sloSnapshots} (rollout_id, observed_at, availability, error_budget_remaining, burn_rate, latency_p99_ms)
    values (${v[0]}, ${v[1]}, ${v[2]}, ${v[3]}, ${v[4]}, ${v[5]})`,
  ["\u00000", "\u00001", "\u00002", "\u00003", "\u00004", "\u00005"],
);

/** How each kind of fact is written: a kind without its write is a type error. */
type FactWriter<K extends Fact["kind"]> = (
  db: Db,
  fact: Extract<Fact, { kind: K }>,
  record: EventRecord,
  // Facts the gate reads are timed by receipt, never by the pipeline's clock: a backdated
  // deploy cannot make a window look elapsed. A backup may only claim to be older.
  occurredAt: Date,
) => Promise<unknown>;

const FACT_WRITERS: { [K in Fact["kind"]]: FactWriter<K> } = {
  migration_started: (db, fact, { rolloutId }, occurredAt) =>
    db.insert(migrationRuns).values({
      rolloutId,
      phase: fact.phase,
      name: fact.name,
      checksum: fact.checksum,
      status: "started",
      startedAt: occurredAt,
      leaseId: fact.leaseId,
    }),
  migration_finished: async (db, fact, { rolloutId }, occurredAt) => {
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
  },
  deployment: (db, fact, { environmentId, rolloutId }, occurredAt) =>
    db.insert(appDeployments).values({
      environmentId,
      rolloutId,
      kind: fact.deployment,
      version: fact.version,
      manifest: fact.manifest,
      occurredAt,
    }),
  flag_change: (db, fact, { rolloutId }, occurredAt) =>
    db.insert(flagChanges).values({ rolloutId, flag: fact.flag, percent: fact.percent, occurredAt }),
  // Plain inserts: written by recordEvent through eventInserts.
  slo_snapshot: async () => {},
  backup: (db, fact, record) =>
    db.insert(backups).values({
      environmentId: record.environmentId,
      rolloutId: record.rolloutId,
      backupId: fact.backupId,
      restoreTested: fact.restoreTested,
      verifiedAt: record.occurredAt < record.receivedAt ? record.occurredAt : record.receivedAt,
    }),
  backfill: (db, fact, { rolloutId }, occurredAt) => recordBackfill(db, rolloutId, fact, occurredAt),
  inspection: (db, fact, record) =>
    insertInspection(db, {
      environmentId: record.environmentId,
      rolloutId: record.rolloutId,
      eventId: record.eventId,
      receivedAt: record.receivedAt,
      inspection: fact.inspection,
    }),
  rehearsal: (db, fact, record, receivedAt) =>
    insertRehearsal(db, {
      environmentId: record.environmentId,
      rolloutId: record.rolloutId,
      receivedAt,
      rehearsal: fact,
    }),
};

async function recordFact(db: Db, fact: Fact, record: EventRecord): Promise<void> {
  await (FACT_WRITERS[fact.kind] as FactWriter<Fact["kind"]>)(db, fact as never, record, record.receivedAt);
}
