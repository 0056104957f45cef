import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { environments, services } from "./services.ts";

/** One change set of a service: an app version plus an expand and, later, a contract script. */
export const releases = pgTable(
  "releases",
  {
    id: uuid().primaryKey().defaultRandom(),
    serviceId: uuid()
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
    /** The pipeline's own identifier for the release, unique per service (e.g. `2026.11.3`). */
    key: text().notNull(),
    title: text().notNull(),
    author: text().notNull(),
    appVersion: text().notNull(),
    /** Superseded by the rollout's own scripts (migration 0003); kept until a contract migration drops them. */
    expandSql: text(),
    expandChecksum: text(),
    contractSql: text(),
    contractChecksum: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.serviceId, t.key), index().on(t.serviceId, t.createdAt)],
);

/** One release in one environment: the projection that events move through the lifecycle.
 * Columns mirror `RolloutProjection` in @rollgate/core/types. */
export const rollouts = pgTable(
  "rollouts",
  {
    id: uuid().primaryKey().defaultRandom(),
    releaseId: uuid()
      .notNull()
      .references(() => releases.id, { onDelete: "cascade" }),
    environmentId: uuid()
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    state: text().notNull().default("planned"),
    releaseVersion: text().notNull(),
    currentVersion: text(),
    deployedAt: timestamp({ withTimezone: true }),
    flagPercent: integer().notNull().default(0),
    flagFullAt: timestamp({ withTimezone: true }),
    windowStartedAt: timestamp({ withTimezone: true }),
    lastRollbackAt: timestamp({ withTimezone: true }),
    /** The scripts this rollout runs: owned by the rollout, changed only by its own environment's pipeline. */
    expandSql: text(),
    expandChecksum: text(),
    contractSql: text(),
    contractChecksum: text(),
    /** The author this environment's registration fixed; null on rows from before 0012 (the release's author counts). */
    author: text(),
    /** Created by another environment's registration: its author counts as nobody known until a
     * token that may act on this environment registers the release (see `@rollgate/core/access/release-binding`). */
    provisional: boolean().notNull().default(false),
    /** The commit this environment's registration recorded (`release.created` data.commit_sha, fixed once
     * recorded): a GitHub deployment in this environment is tied to the release by it (migration 0018). */
    commitSha: text(),
    /** Bumped on every applied event; lets readers detect concurrent change. */
    version: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex().on(t.releaseId, t.environmentId),
    index().on(t.environmentId, t.updatedAt),
    index().on(t.environmentId, t.commitSha),
  ],
);

/** Every accepted event of a rollout, in the order it happened. */
export const rolloutEvents = pgTable(
  "rollout_events",
  {
    id: uuid().primaryKey().defaultRandom(),
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    type: text().notNull(),
    occurredAt: timestamp({ withTimezone: true }).notNull(),
    /** When the server received it: every duration that gates anything is measured from this. */
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** occurred_at minus receipt, when the pipeline's clock claims the future or the distant past (flagged). */
    clockSkewSeconds: integer(),
    data: jsonb().notNull().default({}),
    /** The webhook delivery that carried it; null for events made inside Rollgate (seed, drill). */
    deliveryId: uuid(),
    stateBefore: text().notNull(),
    stateAfter: text().notNull(),
  },
  (t) => [
    index().on(t.rolloutId, t.occurredAt),
    // Used by versions before migration 0019; drop it in a contract after a release without them.
    index("rollout_events_timeline_idx")
      .on(t.rolloutId, t.occurredAt, t.id)
      .where(sql`${t.type} <> 'slo.snapshot'`),
    // The timeline pages by receipt time through everything but SLO snapshots (those are drawn as charts).
    index("rollout_events_received_timeline_idx")
      .on(t.rolloutId, t.receivedAt, t.id)
      .where(sql`${t.type} <> 'slo.snapshot'`),
  ],
);
