import "server-only";
import type { Db } from "@rollgate/db/client";
import { hitRateLimit } from "@rollgate/db/queries/rate-limits";
import { database } from "@rollgate/db/runtime";
import { env } from "../env";
import { AppError } from "../errors";

// What every machine edge (API tokens, alerting receivers) does before its own checks.

/** The database, or a 503 that tells the caller to retry (`retry`: when, in the caller's terms). */
export async function openEdgeDb(retry = "retry later"): Promise<Db> {
  try {
    return (await database()).db;
  } catch {
    throw new AppError("unavailable", `The database is unreachable; ${retry}.`, undefined, { "retry-after": "5" });
  }
}

/** Counts one request in `bucket`'s minute window (in PostgreSQL, so across replicas); a 429 past the limit. */
export async function enforceRateLimit(db: Db, bucket: string, at: Date, what: string): Promise<void> {
  const perMinute = env().ROLLGATE_RATE_LIMIT_PER_MINUTE;
  const { count, resetAt } = await hitRateLimit(db, bucket, at, 60_000);
  if (count > perMinute) {
    const retryAfter = Math.max(1, Math.ceil((resetAt.getTime() - at.getTime()) / 1000));
    throw new AppError("rate_limited", `${what} may send ${perMinute} requests a minute; retry after ${retryAfter} s.`, { limit: perMinute, retry_after_seconds: retryAfter }, { "retry-after": String(retryAfter) });
  }
}
