import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { apiTokens } from "./api.ts";
import { users } from "./auth.ts";
import { rollouts } from "./releases.ts";

/** An approve/reject decision on a rollout's contract step, pinned to the script's SHA-256. */
export const approvals = pgTable(
  "approvals",
  {
    id: uuid().primaryKey().defaultRandom(),
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    approverId: uuid()
      .notNull()
      .references(() => users.id),
    /** The role the approver held when deciding. */
    role: text().notNull(),
    decision: text().notNull(),
    comment: text().notNull().default(""),
    contractChecksum: text().notNull(),
    decidedAt: timestamp({ withTimezone: true }).notNull(),
    withdrawnAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex().on(t.rolloutId, t.approverId, t.contractChecksum), index().on(t.rolloutId)],
);

/** Break-glass: an audited override of failing gate checks for one rollout. */
export const overrides = pgTable(
  "overrides",
  {
    id: uuid().primaryKey().defaultRandom(),
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    actorId: uuid()
      .notNull()
      .references(() => users.id),
    role: text().notNull(),
    justification: text().notNull(),
    checks: jsonb().$type<string[]>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    /** `break_glass` lets chosen checks through; `recovery` authorises one fix script after a failed migration. */
    kind: text().notNull().default("break_glass"),
    /** The second person, where the policy requires one (production by default). */
    confirmedBy: uuid().references(() => users.id),
    confirmedAt: timestamp({ withTimezone: true }),
    /** Recovery only: the phase that failed and the fix script that may run. */
    phase: text(),
    fixName: text(),
    fixSql: text(),
    fixChecksum: text(),
    reviewedBy: uuid().references(() => users.id),
    reviewedAt: timestamp({ withTimezone: true }),
    reviewNote: text(),
  },
  (t) => [
    index().on(t.rolloutId),
    index()
      .on(t.createdAt)
      .where(sql`${t.reviewedAt} is null`),
  ],
);

/** The single permission to run a contract. The partial unique index holds "at most one
 * unreleased lease per rollout"; an expired lease is released before a new one is taken. */
export const leases = pgTable(
  "leases",
  {
    id: uuid().primaryKey().defaultRandom(),
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    tokenId: uuid().references(() => apiTokens.id),
    holder: text().notNull(),
    /** `gate` (the gate passed) or `recovery` (a confirmed recovery run after a failure). */
    kind: text().notNull().default("gate"),
    /** The SHA-256 of the only script this lease may run. */
    checksum: text(),
    acquiredAt: timestamp({ withTimezone: true }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    releasedAt: timestamp({ withTimezone: true }),
    outcome: text(),
  },
  (t) => [
    uniqueIndex("leases_one_active_per_rollout")
      .on(t.rolloutId)
      .where(sql`${t.releasedAt} is null`),
  ],
);
