import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** An application with its own database schema, e.g. `billing-api`. */
export const services = pgTable("services", {
  id: uuid().primaryKey().defaultRandom(),
  slug: text().notNull().unique(),
  name: text().notNull(),
  description: text().notNull().default(""),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** An ordered stage of a service; `position` orders promotion (staging before production).
 * `policy` is validated by @rollgate/core/policy before it is written. */
export const environments = pgTable(
  "environments",
  {
    id: uuid().primaryKey().defaultRandom(),
    serviceId: uuid()
      .notNull()
      .references(() => services.id, { onDelete: "cascade" }),
    name: text().notNull(),
    position: integer().notNull(),
    policy: jsonb().notNull(),
    /** Production's defaults and a second person for overrides; proposed from the name at creation, an admin's choice after. */
    productionLike: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.serviceId, t.name), uniqueIndex().on(t.serviceId, t.position)],
);

/** A no-go condition outside the policy itself: an open incident blocks contract. */
export const incidents = pgTable(
  "incidents",
  {
    id: uuid().primaryKey().defaultRandom(),
    environmentId: uuid()
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    title: text().notNull(),
    severity: text().notNull().default("sev2"),
    openedAt: timestamp({ withTimezone: true }).notNull(),
    closedAt: timestamp({ withTimezone: true }),
    blocksContract: boolean().notNull().default(true),
    /** `manual`, `alertmanager`, `pagerduty` or `event` (CI's `incident.opened`). */
    source: text().notNull().default("manual"),
    /** The alert's fingerprint, PagerDuty's incident id or the event's key: one open incident per key. */
    externalKey: text(),
    /** Where the alert or incident lives, linked from the gate. */
    url: text(),
    /** The integration endpoint that opened it (alerting). */
    endpointId: uuid(),
    /** Alertmanager: the `startsAt` of the firing it stands for; a resolve of another firing leaves it open. */
    alertStartsAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index()
      .on(t.environmentId)
      .where(sql`${t.closedAt} is null`),
    uniqueIndex("incidents_open_external_index")
      .on(t.environmentId, t.source, t.externalKey)
      .where(sql`${t.closedAt} is null and ${t.externalKey} is not null`),
  ],
);
