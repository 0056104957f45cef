import {
  bigint,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth.ts";
import { rollouts } from "./releases.ts";

/**
 * One `rollgate backfill` per rollout, as its `backfill.*` events left it (written by
 * `recordEvent` for fact kind "backfill"), and what the dashboard asked of it (`control`,
 * read by the CLI before every batch). Finished, failed and cancelled are final: a late
 * progress event does not move them (only a new `backfill.started` resumes a failed one).
 */
export const backfills = pgTable(
  "backfills",
  {
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    backfillId: uuid().notNull(),
    /** What `backfill.started` named; null while only later events were received. */
    tableName: text(),
    setList: text(),
    whereClause: text(),
    keyColumns: jsonb().$type<string[] | null>(),
    checkName: text(),
    checkSql: text(),
    /** running | paused | finished | failed | cancelled */
    state: text().notNull(),
    rowsDone: bigint({ mode: "number" }).notNull().default(0),
    rowsWritten: bigint({ mode: "number" }).notNull().default(0),
    estimateRows: bigint({ mode: "number" }),
    batchSize: integer(),
    ratePerS: doublePrecision(),
    etaS: doublePrecision(),
    replicaLagMs: doublePrecision(),
    /** The current throttle or pause reason, a sentence; null when nothing holds it back. */
    throttle: text(),
    /** Why it waits when paused: replica_lag | no_go | slo | operator. */
    pauseCause: text(),
    durationMs: bigint({ mode: "number" }),
    error: text(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
    finishedAt: timestamp({ withTimezone: true }),
    /** What the dashboard asked: run | pause | cancel. */
    control: text().notNull().default("run"),
    controlRequestedBy: uuid().references(() => users.id),
    controlRequestedAt: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.rolloutId, t.backfillId] }), index().on(t.rolloutId, t.startedAt)],
);
