import "server-only";
import { grantedUnits, reservationSize } from "@rollgate/core/access/rate-limit";
import type { Db } from "@rollgate/db/client";
import { hitRateLimit } from "@rollgate/db/queries/rate-limits";

const WINDOW_MS = 60_000;

/** A replica's view of one bucket in one window: what it may still admit without asking PostgreSQL. */
interface Share {
  windowStart: number;
  /** Requests reserved in PostgreSQL and not yet admitted here. */
  available: number;
  /** The shared counter as of this replica's last reservation. */
  count: number;
  /** The reservation in flight, which concurrent requests wait for rather than make their own. */
  reserving?: Promise<void>;
}

// On globalThis: Next bundles route handlers apart, and every bundle must draw on the same shares.
const KEY = Symbol.for("rollgate.rateLimitShares");
const shares = (): Map<string, Share> => ((globalThis as Record<symbol, Map<string, Share>>)[KEY] ??= new Map());

/**
 * Admits one request of `bucket` in the minute containing `at`, or answers when the window
 * resets. Requests are admitted from a share reserved in PostgreSQL (`@rollgate/core/access/rate-limit`),
 * so most requests write nothing and every replica still draws on one counter.
 */
export async function admitRequest(
  db: Db,
  bucket: string,
  at: Date,
  limit: number,
): Promise<{ ok: true } | { ok: false; resetAt: Date }> {
  const requestWindow = Math.floor(at.getTime() / WINDOW_MS) * WINDOW_MS;
  const all = shares();
  for (;;) {
    let share = all.get(bucket);
    // A newer window replaces an older one, never the other way: a request stamped just before
    // the minute turned, still waiting when it did, counts in the new window. Putting the old
    // window back would strand what the new one reserved (and the two would take turns).
    if (!share || share.windowStart < requestWindow) {
      if (!share) forgetEndedWindows(all, requestWindow);
      share = { windowStart: requestWindow, available: 0, count: 0 };
      all.set(bucket, share);
    }
    const windowStart = share.windowStart;
    if (share.available > 0) {
      share.available -= 1;
      return { ok: true };
    }
    // Nothing left anywhere until the window ends (the counter only grows within a window).
    if (share.count >= limit) return { ok: false, resetAt: new Date(windowStart + WINDOW_MS) };
    if (!share.reserving) {
      const units = reservationSize(limit, share.count);
      const current = share;
      current.reserving = hitRateLimit(db, bucket, new Date(current.windowStart), WINDOW_MS, units)
        .then(({ count }) => {
          current.count = count;
          current.available += grantedUnits(limit, count, units);
        })
        .finally(() => {
          current.reserving = undefined;
        });
    }
    await share.reserving;
    // What the reservation brought is this share's, even if a newer window has replaced it since.
    if (share.available > 0) {
      share.available -= 1;
      return { ok: true };
    }
  }
}

function forgetEndedWindows(all: Map<string, Share>, windowStart: number): void {
  if (all.size < 1000) return;
  for (const [bucket, share] of all) if (share.windowStart < windowStart) all.delete(bucket);
}
