import { BACKFILL_MOVES_FROM, type BackfillControl } from "@rollgate/core/contract/backfill";
import type { Fact } from "@rollgate/core/lifecycle";
import { and, desc, eq, getTableColumns, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { backfills, users } from "../schema/index.ts";

type BackfillFact = Extract<Fact, { kind: "backfill" }>;

/**
 * Moves the backfill's row by one of its events (received at `at`), creating it if this is the
 * first event of it that arrived. One statement: an insert whose conflict updates only a row in a
 * state the step may move (core's `BACKFILL_MOVES_FROM`), so a late progress never resurrects a
 * finished backfill and the numbers only grow.
 */
export async function recordBackfill(db: Db, rolloutId: string, fact: BackfillFact, at: Date): Promise<void> {
  const done = fact.rowsDone;
  const base = { rolloutId, backfillId: fact.backfillId, rowsDone: done, startedAt: at, updatedAt: at };
  const rowsDone = sql`greatest(${backfills.rowsDone}, ${done})`;
  let insert: typeof backfills.$inferInsert;
  let update: Record<string, unknown>;
  switch (fact.step) {
    case "started": {
      const described = {
        tableName: fact.table,
        setList: fact.set,
        whereClause: fact.where,
        keyColumns: fact.key,
        checkName: fact.check.name,
        checkSql: fact.check.sql,
        batchSize: fact.batchSize,
        estimateRows: fact.estimateRows,
      };
      insert = { ...base, ...described, state: "running" };
      update = {
        ...described,
        state: "running",
        rowsDone,
        throttle: null,
        pauseCause: null,
        error: null,
        finishedAt: null,
        updatedAt: at,
      };
      break;
    }
    case "progress": {
      const measured = {
        estimateRows: fact.estimateRows,
        batchSize: fact.batchSize,
        ratePerS: fact.ratePerS,
        etaS: fact.etaS,
        replicaLagMs: fact.replicaLagMs,
        throttle: fact.throttle,
      };
      insert = { ...base, ...measured, rowsWritten: fact.rowsWritten, state: "running" };
      update = {
        ...measured,
        state: "running",
        pauseCause: null,
        rowsDone,
        rowsWritten: sql`greatest(${backfills.rowsWritten}, ${fact.rowsWritten})`,
        updatedAt: at,
      };
      break;
    }
    case "paused": {
      const waiting = { throttle: fact.reason, pauseCause: fact.cause, replicaLagMs: fact.replicaLagMs ?? null };
      insert = { ...base, ...waiting, state: "paused" };
      update = { ...waiting, state: "paused", ratePerS: 0, etaS: null, rowsDone, updatedAt: at };
      break;
    }
    case "finished": {
      const end = { durationMs: fact.durationMs, finishedAt: at, throttle: null, pauseCause: null, etaS: 0 };
      insert = { ...base, ...end, rowsWritten: fact.rowsWritten, state: "finished" };
      update = {
        ...end,
        state: "finished",
        rowsDone,
        rowsWritten: sql`greatest(${backfills.rowsWritten}, ${fact.rowsWritten})`,
        updatedAt: at,
      };
      break;
    }
    case "failed": {
      const state = fact.cancelled ? "cancelled" : "failed";
      const end = { error: fact.error, finishedAt: at, throttle: null, pauseCause: null, etaS: null, ratePerS: 0 };
      insert = { ...base, ...end, state };
      update = { ...end, state, rowsDone, updatedAt: at };
      break;
    }
  }
  await db
    .insert(backfills)
    .values(insert)
    .onConflictDoUpdate({
      target: [backfills.rolloutId, backfills.backfillId],
      set: update,
      setWhere: sql`${backfills.state} in ${BACKFILL_MOVES_FROM[fact.step]}`,
    });
}

/** A backfill's row as the dashboard and the CLI read it: who asked for its control, by address. */
export type BackfillRow = typeof backfills.$inferSelect & { controlRequestedByEmail: string | null };

const withRequester = {
  ...getTableColumns(backfills),
  controlRequestedByEmail: users.email,
};

/** The rollout's backfills, newest first. */
export async function listBackfills(db: Db, rolloutId: string): Promise<BackfillRow[]> {
  return db
    .select(withRequester)
    .from(backfills)
    .leftJoin(users, eq(users.id, backfills.controlRequestedBy))
    .where(eq(backfills.rolloutId, rolloutId))
    .orderBy(desc(backfills.startedAt), desc(backfills.backfillId));
}

/** One backfill of a rollout, or null; `forUpdate` locks its row (a control change). */
export async function findBackfill(
  db: Db,
  rolloutId: string,
  backfillId: string,
  options: { forUpdate?: boolean } = {},
): Promise<BackfillRow | null> {
  const query = db
    .select(withRequester)
    .from(backfills)
    .leftJoin(users, eq(users.id, backfills.controlRequestedBy))
    .where(and(eq(backfills.rolloutId, rolloutId), eq(backfills.backfillId, backfillId)))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update", { of: backfills }) : await query;
  return row ?? null;
}

/** Records what the dashboard asked of a backfill, by whom and when. */
export async function setBackfillControl(
  db: Db,
  change: { rolloutId: string; backfillId: string; control: BackfillControl; userId: string; at: Date },
): Promise<void> {
  await db
    .update(backfills)
    .set({ control: change.control, controlRequestedBy: change.userId, controlRequestedAt: change.at })
    .where(and(eq(backfills.rolloutId, change.rolloutId), eq(backfills.backfillId, change.backfillId)));
}
