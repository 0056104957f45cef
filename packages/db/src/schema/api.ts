import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { services } from "./services.ts";

/** A CI credential: a bearer token (stored as SHA-256 only) and a Standard Webhooks
 * signing secret (stored encrypted: verifying an HMAC needs the secret itself). */
export const apiTokens = pgTable("api_tokens", {
  id: uuid().primaryKey().defaultRandom(),
  serviceId: uuid()
    .notNull()
    .references(() => services.id, { onDelete: "cascade" }),
  name: text().notNull(),
  tokenPrefix: text().notNull(),
  tokenHash: text().notNull().unique(),
  secretCiphertext: text().notNull(),
  environments: jsonb().$type<string[]>().notNull(),
  scopes: jsonb().$type<string[]>().notNull(),
  createdBy: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp({ withTimezone: true }),
  revokedAt: timestamp({ withTimezone: true }),
});

/** Every webhook delivery, accepted or refused; (token, webhook-id) makes redelivery idempotent. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    tokenId: uuid()
      .notNull()
      .references(() => apiTokens.id, { onDelete: "cascade" }),
    webhookId: text().notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    status: text().notNull(),
    httpStatus: integer().notNull(),
    eventType: text(),
    rolloutId: uuid(),
    eventId: uuid(),
    error: jsonb(),
  },
  (t) => [
    uniqueIndex().on(t.tokenId, t.webhookId),
    index().on(t.receivedAt),
    // A rollout's refused deliveries, for its timeline and the overview's needs-attention list.
    index("webhook_deliveries_rejected_idx")
      .on(t.rolloutId, t.receivedAt)
      .where(sql`${t.status} = 'rejected'`),
  ],
);

/** Fixed-window request counters, shared by every replica through the database. */
export const rateLimits = pgTable(
  "rate_limits",
  {
    bucket: text().notNull(),
    windowStart: timestamp({ withTimezone: true }).notNull(),
    count: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] })],
);
