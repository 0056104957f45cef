import { asc, desc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { environments, releases, rollouts, services } from "../schema/index.ts";

export interface OverviewRow {
  serviceId: string;
  serviceSlug: string;
  serviceName: string;
  environmentId: string;
  environmentName: string;
  policy: unknown;
  rollout: {
    id: string;
    state: string;
    releaseKey: string;
    releaseTitle: string;
    releaseVersion: string;
    currentVersion: string | null;
    windowStartedAt: Date | null;
    flagPercent: number;
    updatedAt: Date;
  } | null;
}

/** Every service × environment, in promotion order, with its most recently active rollout. */
export async function listOverview(db: Db): Promise<OverviewRow[]> {
  const latest = db
    .selectDistinctOn([rollouts.environmentId], {
      environmentId: rollouts.environmentId,
      id: rollouts.id,
      state: rollouts.state,
      releaseKey: releases.key,
      releaseTitle: releases.title,
      releaseVersion: rollouts.releaseVersion,
      currentVersion: rollouts.currentVersion,
      windowStartedAt: rollouts.windowStartedAt,
      flagPercent: rollouts.flagPercent,
      updatedAt: rollouts.updatedAt,
    })
    .from(rollouts)
    .innerJoin(releases, eq(releases.id, rollouts.releaseId))
    .orderBy(rollouts.environmentId, desc(rollouts.updatedAt))
    .as("latest");

  const rows = await db
    .select({
      serviceId: services.id,
      serviceSlug: services.slug,
      serviceName: services.name,
      environmentId: environments.id,
      environmentName: environments.name,
      policy: environments.policy,
      rollout: {
        id: latest.id,
        state: latest.state,
        releaseKey: latest.releaseKey,
        releaseTitle: latest.releaseTitle,
        releaseVersion: latest.releaseVersion,
        currentVersion: latest.currentVersion,
        windowStartedAt: latest.windowStartedAt,
        flagPercent: latest.flagPercent,
        updatedAt: latest.updatedAt,
      },
    })
    .from(environments)
    .innerJoin(services, eq(services.id, environments.serviceId))
    .leftJoin(latest, eq(latest.environmentId, environments.id))
    .orderBy(asc(services.name), asc(environments.position));

  return rows;
}
