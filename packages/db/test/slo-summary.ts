import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type Db } from "../src/client.ts";

// The SLO summary written plainly, one query per window: the reference the gate's facts
// statement (queries/gate-facts.ts) must equal, and that the raw snapshots check in turn.

export interface SloSummary {
  samples: number;
  minAvailability: number | null;
  minErrorBudgetRemaining: number | null;
  maxBurnRate: number | null;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const floorTo = (at: number, unit: number) => Math.floor(at / unit) * unit;
const ceilTo = (at: number, unit: number) => Math.ceil(at / unit) * unit;
const ts = (ms: number) => new Date(ms).toISOString();

/** Whole periods [from, to) of a rollup table. */
function rollupPart(table: "slo_minutes" | "slo_hours", rolloutId: string, from: number, to: number): SQL {
  const period = sql.raw(table === "slo_minutes" ? "minute" : "hour");
  return sql`select samples, min_availability as a, min_error_budget_remaining as b, max_burn_rate as r
    from ${sql.raw(table)} where rollout_id = ${rolloutId} and ${period} >= ${ts(from)}::timestamptz and ${period} < ${ts(to)}::timestamptz`;
}

/** Raw snapshots in [from, to), or [from, to] when `inclusive`. */
function rawPart(rolloutId: string, from: number, to: number, inclusive = false): SQL {
  return sql`select 1, availability, error_budget_remaining, burn_rate
    from slo_snapshots where rollout_id = ${rolloutId} and observed_at >= ${ts(from)}::timestamptz and observed_at ${sql.raw(inclusive ? "<=" : "<")} ${ts(to)}::timestamptz`;
}

/**
 * The worst SLO values of a rollout in [from, to], exactly: whole hours come from the
 * `slo_hours` rollups, whole minutes around them from `slo_minutes`, and only the partial
 * minutes at either edge from the raw snapshots. Its cost follows the window's length in
 * hours, never the number of snapshots.
 */
export async function sloSummary(db: Db, params: { rolloutId: string; from: Date; to: Date }): Promise<SloSummary> {
  const { rolloutId } = params;
  const from = params.from.getTime();
  const to = params.to.getTime();
  if (to < from) return { samples: 0, minAvailability: null, minErrorBudgetRemaining: null, maxBurnRate: null };
  const m1 = ceilTo(from, MINUTE);
  const m2 = floorTo(to, MINUTE);
  const parts: SQL[] = [];
  if (m1 >= m2) parts.push(rawPart(rolloutId, from, to, true));
  else {
    const h1 = ceilTo(m1, HOUR);
    const h2 = floorTo(m2, HOUR);
    if (from < m1) parts.push(rawPart(rolloutId, from, m1));
    if (h1 < h2) {
      if (m1 < h1) parts.push(rollupPart("slo_minutes", rolloutId, m1, h1));
      parts.push(rollupPart("slo_hours", rolloutId, h1, h2));
      if (h2 < m2) parts.push(rollupPart("slo_minutes", rolloutId, h2, m2));
    } else parts.push(rollupPart("slo_minutes", rolloutId, m1, m2));
    parts.push(rawPart(rolloutId, m2, to, true));
  }
  const [row] = rowsOf<{ samples: number | string | null; a: number | null; b: number | null; r: number | null }>(
    await db.execute(
      sql`select coalesce(sum(samples), 0)::int as samples, min(a) as a, min(b) as b, max(r) as r from (${sql.join(parts, sql` union all `)}) parts(samples, a, b, r)`,
    ),
  );
  const num = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    samples: Number(row?.samples ?? 0),
    minAvailability: num(row?.a),
    minErrorBudgetRemaining: num(row?.b),
    maxBurnRate: num(row?.r),
  };
}
