import { and, asc, eq, inArray, lte, or, sql } from "drizzle-orm";
import { rolloutCommit } from "@rollgate/core/access/release-binding";
import type { Db } from "../client.ts";
import {
  environments,
  githubApp,
  githubDeploymentCallbacks,
  githubEnvironmentLinks,
  releases,
  rollouts,
  services,
} from "../schema/index.ts";

// The GitHub integration: the App's settings, environment links, and the protection-rule
// callbacks GitHub waits on.

export type GithubAppRow = typeof githubApp.$inferSelect;
export type GithubCallbackRow = typeof githubDeploymentCallbacks.$inferSelect;

export async function getGithubApp(db: Db): Promise<GithubAppRow | null> {
  const [row] = await db.select().from(githubApp).where(eq(githubApp.id, 1));
  return row ?? null;
}

export async function saveGithubApp(db: Db, values: Omit<GithubAppRow, "id">): Promise<void> {
  await db
    .insert(githubApp)
    .values({ id: 1, ...values })
    .onConflictDoUpdate({ target: githubApp.id, set: values });
}

export async function listGithubLinks(db: Db) {
  return db
    .select({
      id: githubEnvironmentLinks.id,
      repository: githubEnvironmentLinks.repository,
      githubEnvironment: githubEnvironmentLinks.githubEnvironment,
      service: services.slug,
      environment: environments.name,
      createdBy: githubEnvironmentLinks.createdBy,
      createdAt: githubEnvironmentLinks.createdAt,
    })
    .from(githubEnvironmentLinks)
    .innerJoin(environments, eq(environments.id, githubEnvironmentLinks.environmentId))
    .innerJoin(services, eq(services.id, environments.serviceId))
    .orderBy(asc(githubEnvironmentLinks.repository), asc(githubEnvironmentLinks.githubEnvironment));
}

/** The Rollgate service and environment a GitHub repository's environment is linked to. */
export async function findGithubLink(db: Db, repository: string, githubEnvironment: string) {
  const [row] = await db
    .select({ service: services.slug, environment: environments.name })
    .from(githubEnvironmentLinks)
    .innerJoin(environments, eq(environments.id, githubEnvironmentLinks.environmentId))
    .innerJoin(services, eq(services.id, environments.serviceId))
    .where(
      and(
        eq(githubEnvironmentLinks.repository, repository.toLowerCase()),
        eq(githubEnvironmentLinks.githubEnvironment, githubEnvironment),
      ),
    );
  return row ?? null;
}

/** Links (or re-links) a repository's environment; returns the link's id. */
export async function upsertGithubLink(
  db: Db,
  values: { repository: string; githubEnvironment: string; environmentId: string; createdBy: string },
): Promise<string> {
  const row = { ...values, repository: values.repository.toLowerCase() };
  const [link] = await db
    .insert(githubEnvironmentLinks)
    .values(row)
    .onConflictDoUpdate({
      target: [githubEnvironmentLinks.repository, githubEnvironmentLinks.githubEnvironment],
      set: { environmentId: row.environmentId, createdBy: row.createdBy, createdAt: sql`now()` },
    })
    .returning({ id: githubEnvironmentLinks.id });
  return link!.id;
}

export async function deleteGithubLink(db: Db, id: string) {
  const [row] = await db.delete(githubEnvironmentLinks).where(eq(githubEnvironmentLinks.id, id)).returning({
    repository: githubEnvironmentLinks.repository,
    githubEnvironment: githubEnvironmentLinks.githubEnvironment,
  });
  return row ?? null;
}

export type NewGithubCallback = typeof githubDeploymentCallbacks.$inferInsert;

/** Stores a callback; null when this delivery, or this deployment in this workflow run, was stored before (a redelivery or a replay). */
export async function insertGithubCallback(db: Db, values: NewGithubCallback): Promise<GithubCallbackRow | null> {
  const [row] = await db.insert(githubDeploymentCallbacks).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

/** The callback stored before for this delivery id, or for this deployment in this workflow run. */
export async function findEarlierGithubCallback(
  db: Db,
  key: { deliveryId: string; repository: string; deploymentId: number | null; runId: number | null },
) {
  const t = githubDeploymentCallbacks;
  const [row] = await db
    .select()
    .from(t)
    .where(
      or(
        eq(t.deliveryId, key.deliveryId),
        key.deploymentId !== null && key.runId !== null
          ? and(eq(t.repository, key.repository), eq(t.deploymentId, key.deploymentId), eq(t.runId, key.runId))
          : undefined,
      ),
    )
    .orderBy(asc(t.receivedAt))
    .limit(1);
  return row ?? null;
}

/**
 * The releases of a service's environment that may have recorded `sha`: those whose rollout
 * there recorded it (`rollouts.commit_sha`, per environment), and those whose key is it. Each
 * comes with the commit that counts for that environment (core `rolloutCommit`: none while the
 * rollout is provisional, so another environment's registration never chooses it). The core's
 * `releasesOfCommit` decides which count; nothing here reads a ref name.
 */
export async function releasesRecordingCommit(
  db: Db,
  where: { service: string; environment: string },
  sha: string,
): Promise<Array<{ key: string; commitSha: string | null }>> {
  const rows = await db
    .select({ key: releases.key, commitSha: rollouts.commitSha, provisional: rollouts.provisional })
    .from(releases)
    .innerJoin(services, eq(services.id, releases.serviceId))
    .innerJoin(rollouts, eq(rollouts.releaseId, releases.id))
    .innerJoin(environments, eq(environments.id, rollouts.environmentId))
    .where(
      and(
        eq(services.slug, where.service),
        eq(environments.name, where.environment),
        or(and(eq(rollouts.provisional, false), eq(rollouts.commitSha, sha)), eq(releases.key, sha)),
      ),
    )
    .orderBy(asc(releases.createdAt));
  return rows.map((r) => ({ key: r.key, commitSha: rolloutCommit(r) }));
}

/**
 * Claims pending callbacks that are due (all of them, or only `ids`): pushes each one's next
 * attempt `claimMs` into the future in one statement, skipping rows another replica is
 * claiming, so two replicas never answer the same callback at once. A claimant that dies
 * leaves the row to be claimed again when that time passes.
 */
export async function claimDueGithubCallbacks(
  db: Db,
  now: Date,
  options: { ids?: string[]; limit?: number; claimMs: number },
): Promise<GithubCallbackRow[]> {
  const t = githubDeploymentCallbacks;
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: t.id })
      .from(t)
      .where(
        and(eq(t.state, "pending"), lte(t.nextAttemptAt, now), options.ids ? inArray(t.id, options.ids) : undefined),
      )
      .orderBy(asc(t.nextAttemptAt))
      .limit(options.limit ?? 20)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(t)
      .set({ nextAttemptAt: new Date(now.getTime() + options.claimMs) })
      .where(
        inArray(
          t.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
  });
}

export async function updateGithubCallback(
  db: Db,
  id: string,
  values: Partial<
    Pick<
      GithubCallbackRow,
      "release" | "state" | "decision" | "comment" | "nextAttemptAt" | "attempts" | "lastError" | "answeredAt"
    >
  >,
): Promise<void> {
  await db.update(githubDeploymentCallbacks).set(values).where(eq(githubDeploymentCallbacks.id, id));
}

export async function listGithubCallbacks(db: Db, limit = 20) {
  return db
    .select()
    .from(githubDeploymentCallbacks)
    .orderBy(sql`${githubDeploymentCallbacks.receivedAt} desc`)
    .limit(limit);
}
