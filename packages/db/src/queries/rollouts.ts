import type { RolloutProjection, RolloutState } from "@rollgate/core/types";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { environments, releases, rollouts, services } from "../schema/index.ts";

export interface RolloutKeys {
  service: string;
  environment: string;
  release: string;
}

/** Service and environment by slug and name (the environment's policy is still raw JSON). */
export async function findEnvironment(db: Db, service: string, environment: string) {
  const [row] = await db
    .select({ serviceId: services.id, environmentId: environments.id, position: environments.position, policy: environments.policy })
    .from(environments)
    .innerJoin(services, eq(services.id, environments.serviceId))
    .where(and(eq(services.slug, service), eq(environments.name, environment)))
    .limit(1);
  return row ?? null;
}

/**
 * The rollout with its release; `forUpdate` locks the rollout row until the transaction
 * ends, which serialises every change to one rollout across all replicas.
 */
export async function findRollout(db: Db, keys: RolloutKeys, options: { forUpdate?: boolean } = {}) {
  const query = db
    .select({ rollout: rollouts, release: releases, environmentName: environments.name, environmentPosition: environments.position, policy: environments.policy, serviceId: services.id })
    .from(rollouts)
    .innerJoin(releases, eq(releases.id, rollouts.releaseId))
    .innerJoin(environments, eq(environments.id, rollouts.environmentId))
    .innerJoin(services, eq(services.id, environments.serviceId))
    .where(and(eq(services.slug, keys.service), eq(environments.name, keys.environment), eq(releases.key, keys.release)))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update", { of: rollouts }) : await query;
  return row ?? null;
}

export type RolloutRow = NonNullable<Awaited<ReturnType<typeof findRollout>>>;

export function projectionOf(row: typeof rollouts.$inferSelect): RolloutProjection {
  return {
    state: row.state as RolloutState,
    releaseVersion: row.releaseVersion,
    currentVersion: row.currentVersion,
    deployedAt: row.deployedAt,
    flagPercent: row.flagPercent,
    flagFullAt: row.flagFullAt,
    windowStartedAt: row.windowStartedAt,
    lastRollbackAt: row.lastRollbackAt,
    expandChecksum: row.expandChecksum,
    contractChecksum: row.contractChecksum,
  };
}

export async function saveProjection(db: Db, rolloutId: string, projection: RolloutProjection, at: Date): Promise<void> {
  await db
    .update(rollouts)
    .set({ ...projection, version: sql`${rollouts.version} + 1`, updatedAt: at })
    .where(eq(rollouts.id, rolloutId));
}

/** Creates the release (or updates its scripts) and one planned rollout per environment. */
export async function upsertRelease(
  db: Db,
  params: { serviceId: string; key: string; title: string; author: string; appVersion: string; expandSql: string | null; expandChecksum: string | null; contractSql: string | null; contractChecksum: string | null },
) {
  const [existing] = await db.select().from(releases).where(and(eq(releases.serviceId, params.serviceId), eq(releases.key, params.key))).for("update");
  let releaseId: string;
  let contractChanged = false;
  if (existing) {
    releaseId = existing.id;
    contractChanged = params.contractChecksum !== null && params.contractChecksum !== existing.contractChecksum;
    await db
      .update(releases)
      .set({
        title: params.title,
        expandSql: params.expandSql ?? existing.expandSql,
        expandChecksum: params.expandChecksum ?? existing.expandChecksum,
        contractSql: params.contractSql ?? existing.contractSql,
        contractChecksum: params.contractChecksum ?? existing.contractChecksum,
      })
      .where(eq(releases.id, releaseId));
  } else {
    const [row] = await db.insert(releases).values(params).returning({ id: releases.id });
    releaseId = row!.id;
  }
  const envs = await db.select({ id: environments.id }).from(environments).where(eq(environments.serviceId, params.serviceId)).orderBy(asc(environments.position));
  if (envs.length)
    await db
      .insert(rollouts)
      .values(envs.map((e) => ({ releaseId, environmentId: e.id, releaseVersion: params.appVersion, expandChecksum: params.expandChecksum, contractChecksum: params.contractChecksum })))
      .onConflictDoNothing();
  // A new contract script is a new thing to approve: rollouts that have not started the
  // contract take the new checksum, so earlier approvals stop counting.
  if (contractChanged)
    await db
      .update(rollouts)
      .set({ contractChecksum: params.contractChecksum })
      .where(and(eq(rollouts.releaseId, releaseId), sql`${rollouts.state} not in ('contracting', 'contracted', 'contract_failed')`));
  return { releaseId, created: !existing, contractChanged };
}
