import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { inspections } from "./inspections.ts";
import { rollouts } from "./releases.ts";

/** The data checks a rollout declares (release.created, `rollgate inspect --checks`, each backfill):
 * read-only SELECTs that must return no rows before the contract. A result in an inspection counts
 * only for the checksum (SHA-256 of `sql`) it ran. */
export const dataChecks = pgTable(
  "data_checks",
  {
    id: uuid().primaryKey().defaultRandom(),
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    name: text().notNull(),
    sql: text().notNull(),
    checksum: text().notNull(),
    source: text().$type<"release" | "inspect" | "backfill">().notNull(),
    /** When Rollgate received the declaration of this text (a changed text is a new declaration). */
    declaredAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex().on(t.rolloutId, t.name),
    check("data_checks_source", sql`${t.source} in ('release', 'inspect', 'backfill')`),
  ],
);

/** Each data check result an inspection carried, one row each, so the gate finds a check's newest
 * run of one checksum with one index probe instead of reading inspection summaries. The summary
 * keeps them too; pruning an inspection prunes its runs. */
export const dataCheckRuns = pgTable(
  "data_check_runs",
  {
    inspectionId: uuid()
      .notNull()
      .references(() => inspections.id, { onDelete: "cascade" }),
    environmentId: uuid().notNull(),
    name: text().notNull(),
    checksum: text().notNull(),
    /** The inspection's receipt time: the only time that decides anything. */
    receivedAt: timestamp({ withTimezone: true }).notNull(),
    rows: bigint({ mode: "number" }).notNull(),
    sampleKeys: jsonb().$type<string[]>().notNull(),
    durationMs: integer().notNull(),
    error: text(),
  },
  (t) => [
    primaryKey({ columns: [t.inspectionId, t.name] }),
    index().on(t.environmentId, t.checksum, t.name, t.receivedAt),
  ],
);
