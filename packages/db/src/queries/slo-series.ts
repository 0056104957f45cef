import { sql } from "drizzle-orm";
import type { Db } from "../client.ts";

export interface SloPoint {
  at: Date;
  availability: number;
  errorBudgetRemaining: number;
  burnRate: number;
  samples: number;
}

export interface SloSummary {
  samples: number;
  minAvailability: number | null;
  minErrorBudgetRemaining: number | null;
  maxBurnRate: number | null;
}

const MINUTE = 60_000;

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * The worst SLO values of a rollout in [from, to], exactly: whole minutes come from the
 * `slo_minutes` rollups, the partial minutes at either edge from the raw snapshots. Its cost
 * follows the window's length, never the number of snapshots.
 */
export async function sloSummary(db: Db, params: { rolloutId: string; from: Date; to: Date }): Promise<SloSummary> {
  const { rolloutId, from, to } = params;
  if (to < from) return { samples: 0, minAvailability: null, minErrorBudgetRemaining: null, maxBurnRate: null };
  const firstWhole = new Date(Math.ceil(from.getTime() / MINUTE) * MINUTE);
  const endWhole = new Date(Math.floor(to.getTime() / MINUTE) * MINUTE);
  const rows = rowsOf<{ samples: number | string | null; min_availability: number | null; min_error_budget_remaining: number | null; max_burn_rate: number | null }>(
    await db.execute(
      firstWhole < endWhole
        ? sql`
        select sum(samples)::int as samples, min(a) as min_availability, min(b) as min_error_budget_remaining, max(r) as max_burn_rate from (
          select samples, min_availability as a, min_error_budget_remaining as b, max_burn_rate as r
          from slo_minutes where rollout_id = ${rolloutId} and minute >= ${firstWhole.toISOString()}::timestamptz and minute < ${endWhole.toISOString()}::timestamptz
          union all
          select 1, availability, error_budget_remaining, burn_rate
          from slo_snapshots where rollout_id = ${rolloutId}
            and ((observed_at >= ${from.toISOString()}::timestamptz and observed_at < ${firstWhole.toISOString()}::timestamptz)
              or (observed_at >= ${endWhole.toISOString()}::timestamptz and observed_at <= ${to.toISOString()}::timestamptz))
        ) parts`
        : sql`
        select count(*)::int as samples, min(availability) as min_availability, min(error_budget_remaining) as min_error_budget_remaining, max(burn_rate) as max_burn_rate
        from slo_snapshots where rollout_id = ${rolloutId} and observed_at >= ${from.toISOString()}::timestamptz and observed_at <= ${to.toISOString()}::timestamptz`,
    ),
  );
  const row = rows[0];
  const num = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return { samples: Number(row?.samples ?? 0), minAvailability: num(row?.min_availability), minErrorBudgetRemaining: num(row?.min_error_budget_remaining), maxBurnRate: num(row?.max_burn_rate) };
}

/**
 * A rollout's SLO snapshots between two times, aggregated in the database into at most
 * `points` time buckets (`date_bin`): the worst value of each metric per bucket, so a series
 * of a million snapshots draws as a few hundred points and no breach is averaged away.
 * Buckets of a minute or more are built from the `slo_minutes` rollups (whole minutes, the
 * first one may start up to a minute before `from`); shorter ones from the raw snapshots.
 */
export async function sloSeries(db: Db, params: { rolloutId: string; from: Date; to: Date; points?: number }): Promise<SloPoint[]> {
  const span = Math.max(1, params.to.getTime() - params.from.getTime());
  const bucketSeconds = Math.max(1, Math.ceil(span / 1000 / (params.points ?? 300)));
  const { rolloutId } = params;
  type Row = { at: string | Date; availability: number; error_budget_remaining: number; burn_rate: number; samples: number };
  let rows: Row[];
  if (bucketSeconds >= 60) {
    const bucket = Math.ceil(bucketSeconds / 60) * 60;
    const origin = new Date(Math.floor(params.from.getTime() / MINUTE) * MINUTE).toISOString();
    rows = rowsOf<Row>(
      await db.execute(sql`
        select date_bin(make_interval(secs => ${bucket}), minute, ${origin}::timestamptz) as at,
               min(min_availability) as availability, min(min_error_budget_remaining) as error_budget_remaining,
               max(max_burn_rate) as burn_rate, sum(samples)::int as samples
        from slo_minutes
        where rollout_id = ${rolloutId} and minute >= ${origin}::timestamptz and minute <= ${params.to.toISOString()}::timestamptz
        group by 1 order by 1`),
    );
  } else {
    rows = rowsOf<Row>(
      await db.execute(sql`
        select date_bin(make_interval(secs => ${bucketSeconds}), observed_at, ${params.from.toISOString()}::timestamptz) as at,
               min(availability) as availability, min(error_budget_remaining) as error_budget_remaining,
               max(burn_rate) as burn_rate, count(*)::int as samples
        from slo_snapshots
        where rollout_id = ${rolloutId} and observed_at >= ${params.from.toISOString()}::timestamptz and observed_at <= ${params.to.toISOString()}::timestamptz
        group by 1 order by 1`),
    );
  }
  return rows.map((r) => ({
    at: new Date(r.at),
    availability: Number(r.availability),
    errorBudgetRemaining: Number(r.error_budget_remaining),
    burnRate: Number(r.burn_rate),
    samples: Number(r.samples),
  }));
}
