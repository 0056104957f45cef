import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

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
    alg: text().notNull().default("sha256"),
    prevHash: text().notNull(),
    hash: text().notNull().unique(),
  },
  (t) => [index().on(t.rolloutId, t.at), index().on(t.at)],
);
