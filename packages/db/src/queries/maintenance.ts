import { and, isNull, lt, lte, sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client.ts";
import { integrationDeliveries, leases, rateLimits, sloPulls } from "../schema/index.ts";

/**
 * Releases every lease past its expiry, whichever rollout it belongs to. A lease request on
 * the same rollout does the same under the rollout's row lock; both only touch unreleased
 * rows, so whichever comes second finds nothing left to do.
 */
export async function expireAllLeases(db: Db, now: Date): Promise<number> {
  const rows = await db
    .update(leases)
    .set({ releasedAt: now, outcome: "expired" })
    .where(and(isNull(leases.releasedAt), lte(leases.expiresAt, now)))
    .returning({ id: leases.id });
  return rows.length;
}

/** Drops rate-limit windows that ended before `before`; returns how many. */
export async function pruneRateLimitWindows(db: Db, before: Date): Promise<number> {
  const rows = await db
    .delete(rateLimits)
    .where(lt(rateLimits.windowStart, before))
    .returning({ bucket: rateLimits.bucket });
  return rows.length;
}

/**
 * Deletes raw SLO snapshots observed before `before`, at most `batch` per call (short
 * statements; the job calls it until it returns less than a batch). The rollups keep the
 * history. Each rollout's old rows are found through the (rollout_id, observed_at) index, so
 * the cost follows what is deleted, never the size of the table.
 */
export async function pruneSloSnapshots(db: Db, before: Date, batch = 5000): Promise<number> {
  const result = await db.execute(sql`
    with doomed as (
      select s.id from rollouts r
      cross join lateral (select id from slo_snapshots where rollout_id = r.id and observed_at < ${before.toISOString()}::timestamptz limit ${batch}) s
      limit ${batch}),
    gone as (delete from slo_snapshots where id in (select id from doomed) returning 1)
    select count(*)::int as n from gone`);
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}

/** Drops pull records (the sampling claims and their errors) older than `before`. */
export async function pruneSloPulls(db: Db, before: Date): Promise<number> {
  const rows = await db.delete(sloPulls).where(lt(sloPulls.pulledAt, before)).returning({ slot: sloPulls.slotAt });
  return rows.length;
}

/** Drops remembered alerting deliveries older than `before` (older ones are refused as stale anyway). */
export async function pruneIntegrationDeliveries(db: Db, before: Date): Promise<number> {
  const rows = await db
    .delete(integrationDeliveries)
    .where(lt(integrationDeliveries.receivedAt, before))
    .returning({ id: integrationDeliveries.deliveryId });
  return rows.length;
}
