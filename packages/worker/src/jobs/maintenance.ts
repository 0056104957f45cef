import {
  expireAllLeases,
  pruneIntegrationDeliveries,
  pruneRateLimitWindows,
  pruneSloPulls,
  pruneSloSnapshots,
} from "@rollgate/db/queries/maintenance";
import type { JobContext } from "../context.ts";

const DAY = 86_400_000;

/** Releases leases past their expiry everywhere. Approvals need no job: the gate counts an
 * approval only while it is younger than the policy's expiry, at every evaluation. */
export async function expireLeases(ctx: JobContext): Promise<string> {
  const n = await expireAllLeases(ctx.db, ctx.now());
  return `${n} lease(s) expired`;
}

/**
 * Keeps what grows bounded: rate-limit windows past their use, raw SLO snapshots and pull
 * records past the retention (the rollups keep the history), remembered alerting deliveries
 * past the replay window. Snapshots go in batches, each its own short statement.
 */
export async function prune(ctx: JobContext): Promise<string> {
  const now = ctx.now().getTime();
  const { config, db } = ctx;
  const rateLimits = await pruneRateLimitWindows(db, new Date(now - config.rateLimitRetentionSeconds * 1000));
  const before = new Date(now - config.snapshotRetentionDays * DAY);
  let snapshots = 0;
  for (let i = 0; i < 200; i += 1) {
    const n = await pruneSloSnapshots(db, before);
    snapshots += n;
    if (n < 5000) break;
  }
  const pulls = await pruneSloPulls(db, before);
  const deliveries = await pruneIntegrationDeliveries(db, new Date(now - DAY));
  return `pruned ${rateLimits} rate-limit window(s), ${snapshots} snapshot(s), ${pulls} pull(s), ${deliveries} alerting deliveries`;
}
