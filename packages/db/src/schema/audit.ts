import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, check, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Append-only, hash-chained audit trail: `hash` = SHA-256(prevHash + canonical JSON of the entry). */
export const auditEvents = pgTable(
  "audit_events",
  {
    seq: bigserial({ mode: "number" }).primaryKey(),
    at: timestamp({ withTimezone: true }).notNull(),
    actorType: text().notNull(),
    actorId: text().notNull(),
    action: text().notNull(),
    subjectType: text().notNull(),
    subjectId: text().notNull(),
    rolloutId: uuid(),
    data: jsonb().notNull().default({}),
    /** `hmac-sha256` (keyed with ROLLGATE_AUDIT_KEY, which the database never holds) or `sha256` for entries from before it. */
    alg: text().notNull().default("hmac-sha256"),
    prevHash: text().notNull(),
    hash: text().notNull().unique(),
  },
  (t) => [index().on(t.rolloutId, t.at), index().on(t.at)],
);

/**
 * The key record (migration 0014): keyed hashing began at entry `firstKeyedSeq` with hash
 * `firstKeyedHash`, MACed with the audit key. One row, written with the first keyed entry;
 * unkeyed entries verify only before it (`@rollgate/core/access/audit-chain`).
 */
export const auditKeyRecords = pgTable(
  "audit_key_records",
  {
    id: boolean().primaryKey().default(true),
    firstKeyedSeq: bigint({ mode: "number" }).notNull(),
    firstKeyedHash: text().notNull(),
    mac: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("audit_key_records_one_row", sql`${t.id}`)],
);
