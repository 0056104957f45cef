import type { RehearsalProof } from "@rollgate/core/contract/rehearsal";
import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { rollouts } from "./releases.ts";
import { environments } from "./services.ts";

/**
 * Each `rollback.rehearsed` a rollout received (fact kind "rehearsal", written by `recordEvent`):
 * one app version's statements rehearsed against one contract script (`contract_checksum`).
 * Eligibility and the gate's "rehearsal" check count a row only for the checksum it names.
 * Append-only: a newer rehearsal of the same version and checksum is a new row; the newest with a
 * proof decides, else the newest (core's `rehearsalFor`).
 */
export const rollbackRehearsals = pgTable(
  "rollback_rehearsals",
  {
    id: uuid().primaryKey().defaultRandom(),
    environmentId: uuid()
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    /** The app version whose statements were rehearsed. */
    version: text().notNull(),
    /** The SHA-256 of the contract script rehearsed against. */
    contractChecksum: text().notNull(),
    /** observed | file */
    source: text().$type<"observed" | "file">().notNull(),
    /** bigint: the wire admits any safe integer. */
    statements: bigint({ mode: "number" }).notNull(),
    passed: bigint({ mode: "number" }).notNull(),
    noise: bigint({ mode: "number" }).notNull(),
    unverifiable: bigint({ mode: "number" }).notNull(),
    proofCount: bigint({ mode: "number" }).notNull(),
    /** At most 100 proofs, as sent (statement, error, sqlstate, step, calls). */
    proofs: jsonb().$type<RehearsalProof[]>().notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    index().on(t.environmentId, t.version, t.receivedAt),
    index().on(t.rolloutId, t.receivedAt),
    check("rollback_rehearsals_source", sql`${t.source} in ('observed', 'file')`),
  ],
);
