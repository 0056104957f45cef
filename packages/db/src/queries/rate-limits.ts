import { and, desc, eq, lt, sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client.ts";
import { rateLimits } from "../schema/index.ts";

/**
 * Adds `units` requests (one unless told) to `bucket` in the fixed window containing `now`.
 * The counter lives in PostgreSQL, so every replica shares it. Returns the count including
 * these requests, when the window started and when it ends.
 */
export async function hitRateLimit(db: Db, bucket: string, now: Date, windowMs: number, units = 1) {
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  // Concurrent writers update one row; not waiting for the disk (a local setting, in the
  // same statement) keeps that row's lock for microseconds. A crash may forget a few
  // counts, which a limiter can afford.
  const result = await db.execute<{ count: number }>(sql`
    with relaxed as (select set_config('synchronous_commit', 'off', true))
    insert into ${rateLimits} (bucket, window_start, count)
    select ${bucket}, ${windowStart.toISOString()}::timestamptz, ${units}::int from relaxed
    on conflict (bucket, window_start) do update set count = ${rateLimits}.count + excluded.count
    returning count`);
  const [row] = rowsOf<{ count: number }>(result);
  return { count: Number(row!.count), windowStart, resetAt: new Date(windowStart.getTime() + windowMs) };
}

/** The newest window of `bucket` that started before `before`, with its count. */
export async function latestWindowBefore(
  db: Db,
  bucket: string,
  before: Date,
): Promise<{ windowStart: Date; count: number } | null> {
  const [row] = await db
    .select({ windowStart: rateLimits.windowStart, count: rateLimits.count })
    .from(rateLimits)
    .where(and(eq(rateLimits.bucket, bucket), lt(rateLimits.windowStart, before)))
    .orderBy(desc(rateLimits.windowStart))
    .limit(1);
  return row ?? null;
}
