import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client.ts";

export interface SloPoint {
  at: Date;
  availability: number;
  errorBudgetRemaining: number;
  burnRate: number;
  samples: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const floorTo = (at: number, unit: number) => Math.floor(at / unit) * unit;
const ceilTo = (at: number, unit: number) => Math.ceil(at / unit) * unit;
const ts = (ms: number) => new Date(ms).toISOString();

/**
 * A rollout's SLO snapshots between two times, aggregated in the database into a few
 * hundred time buckets (`date_bin`): the worst value of each metric per bucket, so a series
 * of a million snapshots draws as a few hundred points and no breach is averaged away.
 * Buckets of half an hour or more are rounded to whole hours and built from `slo_hours`,
 * buckets of a minute or more from `slo_minutes` (so at most `points` × 30 rows are read),
 * shorter ones from the raw snapshots. The first rollup bucket may start before `from`.
 */
export async function sloSeries(
  db: Db,
  params: { rolloutId: string; from: Date; to: Date; points?: number },
): Promise<SloPoint[]> {
  const from = params.from.getTime();
  const span = Math.max(1, params.to.getTime() - from);
  const bucketSeconds = Math.max(1, Math.ceil(span / 1000 / (params.points ?? 300)));
  const { rolloutId } = params;
  const to = params.to.toISOString();
  type Row = {
    at: string | Date;
    availability: number;
    error_budget_remaining: number;
    burn_rate: number;
    samples: number;
  };
  const rollup = (table: "slo_minutes" | "slo_hours", unit: number) => {
    const period = sql.raw(table === "slo_minutes" ? "minute" : "hour");
    const bucket = ceilTo(bucketSeconds, unit / 1000);
    const origin = ts(floorTo(from, unit));
    return sql`
      select date_bin(make_interval(secs => ${bucket}), ${period}, ${origin}::timestamptz) as at,
             min(min_availability) as availability, min(min_error_budget_remaining) as error_budget_remaining,
             max(max_burn_rate) as burn_rate, sum(samples)::int as samples
      from ${sql.raw(table)}
      where rollout_id = ${rolloutId} and ${period} >= ${origin}::timestamptz and ${period} <= ${to}::timestamptz
      group by 1 order by 1`;
  };
  const query =
    bucketSeconds >= 1800
      ? rollup("slo_hours", HOUR)
      : bucketSeconds >= 60
        ? rollup("slo_minutes", MINUTE)
        : sql`
      select date_bin(make_interval(secs => ${bucketSeconds}), observed_at, ${params.from.toISOString()}::timestamptz) as at,
             min(availability) as availability, min(error_budget_remaining) as error_budget_remaining,
             max(burn_rate) as burn_rate, count(*)::int as samples
      from slo_snapshots
      where rollout_id = ${rolloutId} and observed_at >= ${params.from.toISOString()}::timestamptz and observed_at <= ${to}::timestamptz
      group by 1 order by 1`;
  return rowsOf<Row>(await db.execute(query)).map((r) => ({
    at: new Date(r.at),
    availability: Number(r.availability),
    errorBudgetRemaining: Number(r.error_budget_remaining),
    burnRate: Number(r.burn_rate),
    samples: Number(r.samples),
  }));
}
