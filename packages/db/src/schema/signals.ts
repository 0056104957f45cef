import {
  bigserial,
  boolean,
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
import { rollouts } from "./releases.ts";
import { environments } from "./services.ts";

/** One run of an expand or contract script, as reported by CI. */
export const migrationRuns = pgTable(
  "migration_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    phase: text().notNull(),
    name: text().notNull(),
    checksum: text().notNull(),
    status: text().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    finishedAt: timestamp({ withTimezone: true }),
    durationMs: integer(),
    exitCode: integer(),
    logTail: text(),
    logUrl: text(),
    leaseId: uuid(),
    /** `rollgate run --database-url`: each statement's duration and lock-timeout retries (migration 0007). */
    statements: jsonb().$type<Array<{
      index: number;
      line: number;
      duration_ms: number;
      retries: number;
      concurrently?: boolean;
    }> | null>(),
  },
  (t) => [index().on(t.rolloutId, t.startedAt)],
);

/** App deploys and rollbacks per environment; eligibility reads every version ever deployed. */
export const appDeployments = pgTable(
  "app_deployments",
  {
    id: uuid().primaryKey().defaultRandom(),
    environmentId: uuid()
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    rolloutId: uuid().references(() => rollouts.id, { onDelete: "set null" }),
    kind: text().notNull(),
    version: text().notNull(),
    /** `table.column` entries the version reads and writes; null when the deploy sent none. */
    manifest: jsonb().$type<string[] | null>(),
    occurredAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.environmentId, t.occurredAt), index().on(t.environmentId, t.version)],
);

export const flagChanges = pgTable(
  "flag_changes",
  {
    id: uuid().primaryKey().defaultRandom(),
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    flag: text().notNull(),
    percent: integer().notNull(),
    occurredAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.rolloutId, t.occurredAt)],
);

/** High-volume: read only through time-bucketed aggregates, never as a raw series. */
export const sloSnapshots = pgTable(
  "slo_snapshots",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    observedAt: timestamp({ withTimezone: true }).notNull(),
    availability: doublePrecision().notNull(),
    errorBudgetRemaining: doublePrecision().notNull(),
    burnRate: doublePrecision().notNull(),
    latencyP99Ms: doublePrecision("latency_p99_ms"),
    /** Null: pushed by CI (`slo.snapshot`); `prometheus`: pulled by the worker. */
    source: text(),
  },
  (t) => [index().on(t.rolloutId, t.observedAt)],
);

/** The columns of an SLO rollup: per rollout and period, the count and the worst values. */
const sloRollup = (name: string, period: "minute" | "hour") =>
  pgTable(
    name,
    {
      rolloutId: uuid()
        .notNull()
        .references(() => rollouts.id, { onDelete: "cascade" }),
      [period]: timestamp({ withTimezone: true }).notNull(),
      samples: integer().notNull(),
      minAvailability: doublePrecision().notNull(),
      minErrorBudgetRemaining: doublePrecision().notNull(),
      maxBurnRate: doublePrecision().notNull(),
    } as const,
    (t) => [primaryKey({ columns: [t.rolloutId, t[period]!] })],
  );

/**
 * Per-minute and per-hour rollups of `slo_snapshots`, kept by a trigger on insert (migration
 * 0002): the gate and the charts read whole hours and minutes here and only the partial
 * minutes at the edges from the raw table, so their cost follows the time span, not the
 * number of snapshots.
 */
export const sloMinutes = sloRollup("slo_minutes", "minute");
export const sloHours = sloRollup("slo_hours", "hour");

export const backups = pgTable(
  "backups",
  {
    id: uuid().primaryKey().defaultRandom(),
    environmentId: uuid()
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    rolloutId: uuid().references(() => rollouts.id, { onDelete: "set null" }),
    backupId: text().notNull(),
    restoreTested: boolean().notNull(),
    verifiedAt: timestamp({ withTimezone: true }).notNull(),
    details: jsonb().notNull().default({}),
  },
  (t) => [index().on(t.environmentId, t.verifiedAt)],
);
