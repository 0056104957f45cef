import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { environments } from "./services.ts";

/** The one GitHub App Rollgate acts as (admin → integrations); its secrets stored encrypted. */
export const githubApp = pgTable(
  "github_app",
  {
    id: smallint().primaryKey().default(1),
    appId: bigint({ mode: "number" }).notNull(),
    privateKeyCiphertext: text().notNull(),
    webhookSecretCiphertext: text().notNull(),
    /** https://api.github.com, or a GitHub Enterprise Server's `https://host/api/v3`. */
    apiBaseUrl: text().notNull().default("https://api.github.com"),
    updatedBy: text().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("github_app_single_row", sql`${t.id} = 1`)],
);

/** A GitHub repository's environment, guarded by a Rollgate service's environment. */
export const githubEnvironmentLinks = pgTable(
  "github_environment_links",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** `owner/name`, lower-cased (GitHub's names are case-insensitive). */
    repository: text().notNull(),
    githubEnvironment: text().notNull(),
    environmentId: uuid()
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("github_environment_links_repo_env").on(t.repository, t.githubEnvironment)],
);

/**
 * A `deployment_protection_rule` GitHub is waiting on. Kept until answered (approved or
 * rejected through its callback URL), so a restart loses none; `settlePendingGithubCallbacks`
 * re-checks the pending ones.
 */
export const githubDeploymentCallbacks = pgTable(
  "github_deployment_callbacks",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** X-GitHub-Delivery: a redelivered webhook is recognised, not stored twice. */
    deliveryId: text().notNull().unique("github_deployment_callbacks_delivery_id_unique"),
    installationId: bigint({ mode: "number" }).notNull(),
    repository: text().notNull(),
    githubEnvironment: text().notNull(),
    callbackUrl: text().notNull(),
    deploymentId: bigint({ mode: "number" }),
    /** The workflow run (from the callback URL): one deployment and run is one callback, whatever the delivery id. */
    runId: bigint({ mode: "number" }),
    sha: text(),
    ref: text(),
    /** The linked Rollgate service and environment; null when the GitHub environment is not linked. */
    service: text(),
    environment: text(),
    /** The Rollgate release the deployment was matched to; null when none matched. */
    release: text(),
    /** pending → approved | rejected (answered), or failed (GitHub refused the answer). */
    state: text().notNull().default("pending"),
    /** What was (or will be) sent: `approved` or `rejected`. */
    decision: text(),
    comment: text(),
    receivedAt: timestamp({ withTimezone: true }).notNull(),
    /** GitHub stops waiting after 30 days; Rollgate answers `rejected` before that. */
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull(),
    attempts: integer().notNull().default(0),
    lastError: text(),
    answeredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("github_deployment_callbacks_due")
      .on(t.nextAttemptAt)
      .where(sql`${t.state} = 'pending'`),
    uniqueIndex("github_deployment_callbacks_run")
      .on(t.repository, t.deploymentId, t.runId)
      .where(sql`${t.deploymentId} is not null and ${t.runId} is not null`),
  ],
);
