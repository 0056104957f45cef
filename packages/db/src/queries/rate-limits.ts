import { lt, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { rateLimits } from "../schema/index.ts";

/**
 * Counts one request against `bucket` in the fixed window containing `now`. The counter
 * lives in PostgreSQL, so every replica shares it. Returns the count including this request
 * and when the window ends.
 */
export async function hitRateLimit(db: Db, bucket: string, now: Date, windowMs: number) {
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const [row] = await db
    .insert(rateLimits)
    .values({ bucket, windowStart, count: 1 })
    .onConflictDoUpdate({ target: [rateLimits.bucket, rateLimits.windowStart], set: { count: sql`${rateLimits.count} + 1` } })
    .returning({ count: rateLimits.count });
  return { count: row!.count, resetAt: new Date(windowStart.getTime() + windowMs) };
}

/** Drops counters of windows that ended before `before`. */
export async function pruneRateLimits(db: Db, before: Date): Promise<void> {
  await db.delete(rateLimits).where(lt(rateLimits.windowStart, before));
}
