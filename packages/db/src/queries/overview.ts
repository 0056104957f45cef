import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client.ts";
import {
  gateRowOf,
  scriptlessReleaseColumns,
  scriptlessRolloutColumns,
  type GateRow,
  type RawRolloutRow,
} from "./rollouts.ts";

export interface OverviewRow {
  serviceSlug: string;
  serviceName: string;
  environmentName: string;
  /** The environment's production-like flag, shown as a badge. */
  environmentProductionLike: boolean;
  /** The environment's most recently active rollout, the row `findRollout` reads without the scripts' text. */
  latest: GateRow | null;
}

/**
 * Every service × environment, in promotion order, with its most recently active rollout: one
 * statement, read as plain rows. The overview reads hundreds of rollouts on every poll; the
 * rollout and its release come back as one JSON array each (their tables' columns in order) and
 * are mapped by those columns, which costs a fraction of the select builder's mapping of each field.
 * The scripts' text stays in the database: a few kilobytes per rollout, read and parsed on every
 * poll, though the gate needs it only for a checksum its analyser has not seen (`GateRow`).
 */
export async function listOverview(db: Db): Promise<OverviewRow[]> {
  const rows = rowsOf<RawOverviewRow>(
    await db.execute(sql`
      select s.id as "serviceId", s.slug as "serviceSlug", s.name as "serviceName", e.name as "environmentName",
             e.position as "environmentPosition", e.production_like as "environmentProductionLike", e.policy::text as policy,
             case when r.id is not null then ${scriptlessRolloutColumns.select("r")} end as rollout,
             case when l.id is not null then ${scriptlessReleaseColumns.select("l")} end as release
      from environments e
      join services s on s.id = e.service_id
      left join lateral (select * from rollouts r where r.environment_id = e.id order by r.updated_at desc limit 1) r on true
      left join releases l on l.id = r.release_id
      order by s.name, e.position`),
  );
  // Environments mostly share a few policies: equal ones are parsed once and shared, so the gate parses each once too.
  const policies = new Map<string, unknown>();
  const policyOf = (text: string) => policies.get(text) ?? policies.set(text, JSON.parse(text)).get(text);
  return rows.map((r) => ({
    serviceSlug: r.serviceSlug,
    serviceName: r.serviceName,
    environmentName: r.environmentName,
    environmentProductionLike: r.environmentProductionLike === true,
    latest: r.rollout && r.release ? gateRowOf(r, policyOf) : null,
  }));
}

/** `rollout` and `release` are null for an environment without rollouts. */
interface RawOverviewRow extends RawRolloutRow {
  serviceSlug: string;
  serviceName: string;
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
