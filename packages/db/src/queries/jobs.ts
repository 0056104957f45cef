import { and, asc, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { jobStatus } from "../schema/index.ts";

export type JobStatusRow = typeof jobStatus.$inferSelect;

/**
 * Takes the run of `job` that is due at `now` and books the next one at `next`, in one
 * conditional update: of two loops racing for the same run, exactly one gets it. Used by the
 * embedded runner; graphile-worker's crontab and job keys do this on PostgreSQL.
 */
export async function claimDueRun(db: Db, job: string, now: Date, next: Date): Promise<boolean> {
  await db.insert(jobStatus).values({ job, nextRunAt: now }).onConflictDoNothing();
  const rows = await db
    .update(jobStatus)
    .set({ nextRunAt: next })
    .where(and(eq(jobStatus.job, job), or(isNull(jobStatus.nextRunAt), lte(jobStatus.nextRunAt, now))))
    .returning({ job: jobStatus.job });
  return rows.length === 1;
}

/** Books the next attempt of `job` (a retry after a failure, with backoff). */
export async function scheduleRun(db: Db, job: string, at: Date): Promise<void> {
  await db.update(jobStatus).set({ nextRunAt: at }).where(eq(jobStatus.job, job));
}

/** Records how one run of `job` ended: the admin page and `/api/metrics` read this. */
export async function recordJobOutcome(
  db: Db,
  params: { job: string; startedAt: Date; finishedAt: Date; ok: boolean; error?: string; summary?: string },
): Promise<void> {
  const { job, startedAt, finishedAt, ok } = params;
  const error = params.error?.slice(0, 2000) ?? null;
  const summary = params.summary?.slice(0, 500) ?? null;
  await db
    .insert(jobStatus)
    .values({
      job,
      lastStartedAt: startedAt,
      lastFinishedAt: finishedAt,
      lastSucceededAt: ok ? finishedAt : null,
      lastFailedAt: ok ? null : finishedAt,
      lastError: ok ? null : error,
      lastSummary: summary,
      consecutiveFailures: ok ? 0 : 1,
      runs: 1,
      failures: ok ? 0 : 1,
    })
    .onConflictDoUpdate({
      target: jobStatus.job,
      set: {
        lastStartedAt: startedAt,
        lastFinishedAt: finishedAt,
        lastSucceededAt: ok ? finishedAt : sql`${jobStatus.lastSucceededAt}`,
        lastFailedAt: ok ? sql`${jobStatus.lastFailedAt}` : finishedAt,
        lastError: ok ? sql`${jobStatus.lastError}` : error,
        lastSummary: summary ?? sql`${jobStatus.lastSummary}`,
        consecutiveFailures: ok ? 0 : sql`${jobStatus.consecutiveFailures} + 1`,
        runs: sql`${jobStatus.runs} + 1`,
        failures: ok ? sql`${jobStatus.failures}` : sql`${jobStatus.failures} + 1`,
      },
    });
}

export async function listJobStatus(db: Db): Promise<JobStatusRow[]> {
  return db.select().from(jobStatus).orderBy(asc(jobStatus.job));
}
