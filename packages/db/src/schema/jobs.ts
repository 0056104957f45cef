import { bigint, boolean, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { rollouts } from "./releases.ts";
import { environments, services } from "./services.ts";

/**
 * One row per background job: its last outcome (for the admin page and `/api/metrics`) and,
 * for the embedded (PGlite) runner, when it is due next: taking a run is a conditional update
 * of `next_run_at`, so a run is claimed once even if two loops race.
 */
export const jobStatus = pgTable("job_status", {
  job: text().primaryKey(),
  nextRunAt: timestamp({ withTimezone: true }),
  lastStartedAt: timestamp({ withTimezone: true }),
  lastFinishedAt: timestamp({ withTimezone: true }),
  lastSucceededAt: timestamp({ withTimezone: true }),
  lastFailedAt: timestamp({ withTimezone: true }),
  lastError: text(),
  lastSummary: text(),
  consecutiveFailures: integer().notNull().default(0),
  runs: bigint({ mode: "number" }).notNull().default(0),
  failures: bigint({ mode: "number" }).notNull().default(0),
});

/**
 * One row per rollout and sampling slot: the claim that makes a pull happen once however many
 * workers run, and its outcome (an error is the reason the SLO check is pending).
 */
export const sloPulls = pgTable(
  "slo_pulls",
  {
    rolloutId: uuid()
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    slotAt: timestamp({ withTimezone: true }).notNull(),
    source: text().notNull(),
    pulledAt: timestamp({ withTimezone: true }).notNull(),
    ok: boolean().notNull(),
    error: text(),
    durationMs: integer(),
  },
  (t) => [primaryKey({ columns: [t.rolloutId, t.slotAt] }), index().on(t.pulledAt)],
);

/** A Prometheus credential (bearer token or basic-auth password), encrypted like webhook secrets. */
export const sloSourceSecrets = pgTable("slo_source_secrets", {
  environmentId: uuid()
    .primaryKey()
    .references(() => environments.id, { onDelete: "cascade" }),
  secretCiphertext: text().notNull(),
  updatedBy: text().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull(),
});

/**
 * An alerting receiver bound to one service (and optionally one environment): Alertmanager
 * authenticates with a bearer token (stored as SHA-256), PagerDuty signs with a secret
 * (stored encrypted: verifying an HMAC needs it).
 */
export const integrationEndpoints = pgTable("integration_endpoints", {
  id: uuid().primaryKey().defaultRandom(),
  serviceId: uuid()
    .notNull()
    .references(() => services.id, { onDelete: "cascade" }),
  environmentId: uuid().references(() => environments.id, { onDelete: "cascade" }),
  kind: text().notNull(),
  name: text().notNull(),
  tokenPrefix: text(),
  tokenHash: text().unique(),
  secretCiphertext: text(),
  createdBy: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp({ withTimezone: true }),
  revokedAt: timestamp({ withTimezone: true }),
});

/** Deliveries an endpoint has seen, by the sender's event id: a replay is refused. Pruned by age. */
export const integrationDeliveries = pgTable(
  "integration_deliveries",
  {
    endpointId: uuid()
      .notNull()
      .references(() => integrationEndpoints.id, { onDelete: "cascade" }),
    deliveryId: text().notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull(),
    outcome: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.endpointId, t.deliveryId] }), index().on(t.receivedAt)],
);
