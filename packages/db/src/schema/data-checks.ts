import { sql } from "drizzle-orm";
import { check, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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
