import "server-only";
import type { Db } from "@rollgate/db/client";
import { database } from "@rollgate/db/runtime";
import { env } from "../env";
import { AppError } from "../errors";
import { admitRequest } from "./rate-limiter";

// What every machine edge (API tokens, alerting receivers) does before its own checks.

/** The database, or a 503 that tells the caller to retry (`retry`: when, in the caller's terms). */
export async function openEdgeDb(retry = "retry later"): Promise<Db> {
  try {
    return (await database()).db;
  } catch {
    throw new AppError("unavailable", `The database is unreachable; ${retry}.`, undefined, { "retry-after": "5" });
  }
}

/**
 * Counts one request in `bucket`'s minute window, shared by every replica through PostgreSQL
 * (most requests are admitted from a share reserved there, writing nothing: `rate-limiter.ts`);
 * a 429 past the limit.
 */
export async function enforceRateLimit(db: Db, bucket: string, at: Date, what: string): Promise<void> {
  const perMinute = env().ROLLGATE_RATE_LIMIT_PER_MINUTE;
  const admitted = await admitRequest(db, bucket, at, perMinute);
  if (!admitted.ok) {
    const retryAfter = Math.max(1, Math.ceil((admitted.resetAt.getTime() - at.getTime()) / 1000));
    throw new AppError(
      "rate_limited",
      `${what} may send ${perMinute} requests a minute; retry after ${retryAfter} s.`,
      { limit: perMinute, retry_after_seconds: retryAfter },
      { "retry-after": String(retryAfter) },
    );
  }
}
