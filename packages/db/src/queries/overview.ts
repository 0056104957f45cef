import { asc, desc, eq, sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client.ts";
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

/** Rollouts with refused deliveries since `since`: how many, and the latest reason. */
export async function listRecentRejections(db: Db, since: Date, limit = 20) {
  const result = await db.execute(sql`
    select s.slug as service, e.name as environment, l.key as release, count(*)::int as count,
           max(d.received_at) as "lastAt", (array_agg(d.error ->> 'message' order by d.received_at desc))[1] as "lastMessage"
    from webhook_deliveries d
    join rollouts r on r.id = d.rollout_id
    join releases l on l.id = r.release_id
    join environments e on e.id = r.environment_id
    join services s on s.id = e.service_id
    where d.status = 'rejected' and d.received_at >= ${since.toISOString()}::timestamptz
    group by s.slug, e.name, l.key
    order by max(d.received_at) desc
    limit ${limit}`);
  type Row = {
    service: string;
    environment: string;
    release: string;
    count: number;
    lastAt: string | Date;
    lastMessage: string | null;
  };
  return rowsOf<Row>(result).map((r) => ({ ...r, count: Number(r.count), lastAt: new Date(r.lastAt) }));
}
