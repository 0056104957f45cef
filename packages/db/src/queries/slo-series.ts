import { sql } from "drizzle-orm";
import type { Db } from "../client.ts";

export interface SloPoint {
  at: Date;
  availability: number;
  errorBudgetRemaining: number;
  burnRate: number;
  samples: number;
}

/**
 * A rollout's SLO snapshots between two times, aggregated in the database into at most
 * `points` time buckets (`date_bin`): the worst value of each metric per bucket, so a series
 * of a million snapshots draws as a few hundred points and no breach is averaged away.
 */
export async function sloSeries(db: Db, params: { rolloutId: string; from: Date; to: Date; points?: number }): Promise<SloPoint[]> {
  const span = Math.max(1, params.to.getTime() - params.from.getTime());
  const bucketSeconds = Math.max(1, Math.ceil(span / 1000 / (params.points ?? 300)));
  const result = await db.execute<{ at: string | Date; availability: number; error_budget_remaining: number; burn_rate: number; samples: number }>(sql`
    select date_bin(make_interval(secs => ${bucketSeconds}), observed_at, ${params.from.toISOString()}::timestamptz) as at,
           min(availability) as availability, min(error_budget_remaining) as error_budget_remaining,
           max(burn_rate) as burn_rate, count(*)::int as samples
    from slo_snapshots
    where rollout_id = ${params.rolloutId} and observed_at >= ${params.from.toISOString()}::timestamptz and observed_at <= ${params.to.toISOString()}::timestamptz
    group by 1 order by 1`);
  const rows = Array.isArray(result) ? result : (result as unknown as { rows: typeof result }).rows;
  return (rows as Array<{ at: string | Date; availability: number; error_budget_remaining: number; burn_rate: number; samples: number }>).map((r) => ({
    at: new Date(r.at),
    availability: Number(r.availability),
    errorBudgetRemaining: Number(r.error_budget_remaining),
    burnRate: Number(r.burn_rate),
    samples: Number(r.samples),
  }));
}
