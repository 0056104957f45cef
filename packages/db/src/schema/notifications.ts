import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { environments, services } from "./services.ts";

/**
 * Where a service's events go: a Slack incoming webhook or a generic webhook signed with
 * Standard Webhooks (its secret encrypted: signing needs it). No environment: every one.
 */
export const notificationSubscriptions = pgTable(
  "notification_subscriptions",
  {
    id: uuid().primaryKey().defaultRandom(),
    serviceId: uuid()
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
    environmentId: uuid().references(() => environments.id, { onDelete: "cascade" }),
    kind: text().notNull(),
    url: text().notNull(),
    secretCiphertext: text(),
    eventTypes: text().array().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    check("notification_subscriptions_kind", sql`${t.kind} in ('slack', 'webhook')`),
    index("notification_subscriptions_service").on(t.serviceId),
  ],
);

/**
 * One message to one subscription, written in the transaction of the change that caused it
 * and sent by the `deliver_notifications` job. The dedupe key is unique per subscription, so
 * the same event raised twice is sent once.
 */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    subscriptionId: uuid()
      .notNull()
      .references(() => notificationSubscriptions.id, { onDelete: "cascade" }),
    eventType: text().notNull(),
    dedupeKey: text().notNull(),
    payload: jsonb().notNull(),
    status: text().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    check("notification_deliveries_status", sql`${t.status} in ('pending', 'delivered', 'failed')`),
    uniqueIndex("notification_deliveries_dedupe").on(t.subscriptionId, t.dedupeKey),
    index("notification_deliveries_due")
      .on(t.nextAttemptAt)
      .where(sql`status = 'pending'`),
  ],
);

/** The last time the window watcher looked, so each ended window is reported once. */
export const notificationCursor = pgTable("notification_cursor", {
  name: text().primaryKey(),
  checkedUntil: timestamp({ withTimezone: true }).notNull(),
});
