import { recordJobOutcome } from "@rollgate/db/queries/jobs";
import { log } from "@rollgate/log";
import type { JobContext } from "./context.ts";
import type { JobDefinition, JobOutcome } from "./jobs/definition.ts";

/** Runs one job and records how it ended (in `job_status`, and through `onOutcome` for metrics). Never throws. */
export async function runRecorded(
  job: JobDefinition,
  ctx: JobContext,
  onOutcome?: (o: JobOutcome) => void,
): Promise<JobOutcome> {
  const startedAt = ctx.now();
  const t0 = performance.now();
  let outcome: JobOutcome;
  try {
    const result = await job.run(ctx);
    const { summary, nextRunAt } = typeof result === "string" ? { summary: result, nextRunAt: undefined } : result;
    outcome = {
      job: job.name,
      ok: true,
      durationMs: performance.now() - t0,
      summary,
      ...(nextRunAt ? { nextRunAt } : {}),
    };
  } catch (error) {
    outcome = { job: job.name, ok: false, durationMs: performance.now() - t0, error: describe(error) };
  }
  try {
    await recordJobOutcome(ctx.db, {
      job: job.name,
      startedAt,
      finishedAt: ctx.now(),
      ok: outcome.ok,
      error: outcome.error,
      summary: outcome.summary,
    });
  } catch {
    // The database is down: the outcome still reaches the log and the metrics.
  }
  // A success is routine (some jobs run every second): debug. A failure is what operators look for.
  const line = {
    job: outcome.job,
    ok: outcome.ok,
    durationMs: Math.round(outcome.durationMs),
    ...(outcome.ok ? { summary: outcome.summary } : { error: outcome.error }),
  };
  if (outcome.ok) log().debug(line, "job finished");
  else log().error(line, "job failed");
  onOutcome?.(outcome);
  return outcome;
}

/** An error as one line without data: SQLSTATE and message, quoted text elided. */
export function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const message = (e?.message ?? String(error))
    .replace(/"[^"]*"|'[^']*'/g, "…")
    .split("\n")[0]!
    .slice(0, 300);
  return e?.code ? `${e.code}: ${message}` : message;
}

/** Seconds to wait after `failures` consecutive failures: doubling from the job's period, at most 5 minutes. */
export function backoffSeconds(periodSeconds: number, failures: number): number {
  return Math.min(300, periodSeconds * 2 ** Math.min(failures, 8));
}
