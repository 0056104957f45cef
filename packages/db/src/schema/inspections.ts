import {
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import type { Inspection, WorkloadStatement } from "@rollgate/core/contract/inspection";
import { rollouts } from "./releases.ts";
import { environments } from "./services.ts";

/** What `rollgate inspect` read from an environment's application database (migration 0007). */
export const inspections = pgTable(
  "inspections",
  {
    id: uuid().primaryKey().defaultRandom(),
    environmentId: uuid().notNull(),
    rolloutId: uuid(),
    eventId: uuid().notNull(),
    /** Receipt time: the only time that decides anything. */
    receivedAt: timestamp({ withTimezone: true }).notNull(),
    windowStart: boolean().notNull().default(false),
    /** The database's own clock when it was inspected (`server.now`; migration 0013): orders inspections of one database. */
    takenAt: timestamp({ withTimezone: true }),
    /** `pg_control_system().system_identifier`: which database cluster was inspected (migration 0013). */
    systemIdentifier: text(),
    /** The summary without its usage map and workload. */
    summary: jsonb().$type<Omit<Inspection, "usage" | "workload">>().notNull(),
    /** Cumulative calls per object (the wire form), read only to learn observed manifests. */
    usage: jsonb().$type<Record<string, string> | null>(),
    /** Cumulative calls per statement and role (migration 0023), read only to learn observed
     * statements; null when the CLI sent none. */
    workload: jsonb().$type<WorkloadStatement[] | null>(),
  },
  // Migration 0007 declared the foreign keys inline, so PostgreSQL named them.
  (t) => [
    foreignKey({
      name: "inspections_environment_id_fkey",
      columns: [t.environmentId],
      foreignColumns: [environments.id],
    }).onDelete("cascade"),
    foreignKey({ name: "inspections_rollout_id_fkey", columns: [t.rolloutId], foreignColumns: [rollouts.id] }).onDelete(
      "set null",
    ),
    index().on(t.environmentId, t.receivedAt),
    index().on(t.environmentId, t.systemIdentifier, t.takenAt),
  ],
);

/** What inspections saw each app version use, and the span they cover. */
export const observedManifests = pgTable(
  "observed_manifests",
  {
    environmentId: uuid().notNull(),
    version: text().notNull(),
    entries: jsonb().$type<string[]>().notNull(),
    coveredFrom: timestamp({ withTimezone: true }).notNull(),
    coveredTo: timestamp({ withTimezone: true }).notNull(),
    intervals: integer().notNull().default(0),
  },
  (t) => [
    foreignKey({
      name: "observed_manifests_environment_id_fkey",
      columns: [t.environmentId],
      foreignColumns: [environments.id],
    }).onDelete("cascade"),
    primaryKey({ columns: [t.environmentId, t.version] }),
  ],
);

/** The statements inspections saw each app version run, with their calls while it alone was
 * deployed, and the span they cover (migration 0023): what `rollgate rehearse --version` replays. */
export const observedWorkloads = pgTable(
  "observed_workloads",
  {
    environmentId: uuid().notNull(),
    version: text().notNull(),
    /** Most-called first, one per queryid and role. */
    statements: jsonb().$type<WorkloadStatement[]>().notNull(),
    coveredFrom: timestamp({ withTimezone: true }).notNull(),
    coveredTo: timestamp({ withTimezone: true }).notNull(),
    /** No interval had to leave statements out. */
    complete: boolean().notNull(),
    intervals: integer().notNull().default(0),
  },
  (t) => [
    foreignKey({
      name: "observed_workloads_environment_id_fkey",
      columns: [t.environmentId],
      foreignColumns: [environments.id],
    }).onDelete("cascade"),
    primaryKey({ columns: [t.environmentId, t.version] }),
  ],
);
