import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appDeployments, migrationRuns, releases, rollouts } from "../schema/index.ts";

/** Every deploy in an environment, oldest first. */
export async function listDeployments(db: Db, environmentId: string) {
  return db
    .select({
      version: appDeployments.version,
      kind: appDeployments.kind,
      deployedAt: appDeployments.occurredAt,
      manifest: appDeployments.manifest,
    })
    .from(appDeployments)
    .where(eq(appDeployments.environmentId, environmentId))
    .orderBy(asc(appDeployments.occurredAt));
}

/** Contract migrations that ran (succeeded, or failed part-way) in an environment, with their scripts. */
export async function listContractRuns(db: Db, environmentId: string) {
  return db
    .select({
      release: releases.key,
      migrationName: migrationRuns.name,
      ranAt: migrationRuns.startedAt,
      status: migrationRuns.status,
      /** The SHA-256 of the script that ran; the rollout's text may be another's (a fix replaced it). */
      checksum: migrationRuns.checksum,
      contractSql: rollouts.contractSql,
    })
    .from(migrationRuns)
    .innerJoin(rollouts, eq(rollouts.id, migrationRuns.rolloutId))
    .innerJoin(releases, eq(releases.id, rollouts.releaseId))
    .where(and(eq(rollouts.environmentId, environmentId), eq(migrationRuns.phase, "contract")))
    .orderBy(asc(migrationRuns.startedAt));
}
