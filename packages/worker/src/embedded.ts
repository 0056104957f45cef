import { claimDueRun, scheduleRun } from "@rollgate/db/queries/jobs";
import type { JobContext } from "./context.ts";
import { JOBS, type JobDefinition, type JobOutcome } from "./jobs/index.ts";
import { backoffSeconds, runRecorded } from "./record.ts";

export interface RunningWorker {
  kind: "graphile" | "embedded";
  /** Takes no new job and resolves once the running one has finished (graphile-worker's graceful shutdown; the loop's current run). */
  stop(): Promise<void>;
}

/**
 * The worker on embedded PGlite, which has one connection and no second process: the same
 * jobs, run from a loop in the server's process. Each run is claimed in `job_status` (a
 * conditional update of `next_run_at`), so even two loops would run it once per period; a
 * failure books the next attempt with a doubling backoff.
 */
export function startEmbeddedWorker(
  ctx: JobContext,
  options: { pollMs?: number; onOutcome?: (o: JobOutcome) => void; jobs?: JobDefinition[] } = {},
): RunningWorker {
  let current: Promise<void> | null = null;
  let stopped = false;
  const failures = new Map<string, number>();
  const round = async () => {
    for (const job of options.jobs ?? JOBS) {
      if (stopped) return;
      const now = ctx.now();
      const period = job.everySeconds(ctx);
      try {
        if (!(await claimDueRun(ctx.db, job.name, now, new Date(now.getTime() + period * 1000)))) continue;
      } catch {
        return; // the database is not there yet; try again on the next poll
      }
      const outcome = await runRecorded(job, ctx, options.onOutcome);
      const n = outcome.ok ? 0 : (failures.get(job.name) ?? 0) + 1;
      failures.set(job.name, n);
      if (!outcome.ok)
        await scheduleRun(ctx.db, job.name, new Date(ctx.now().getTime() + backoffSeconds(period, n) * 1000)).catch(
          () => {},
        );
      else if (outcome.nextRunAt && outcome.nextRunAt.getTime() < now.getTime() + period * 1000)
        await scheduleRun(ctx.db, job.name, outcome.nextRunAt).catch(() => {});
    }
  };
  const timer = setInterval(() => {
    if (current) return;
    current = round().finally(() => {
      current = null;
    });
  }, options.pollMs ?? 1000);
  timer.unref();
  return {
    kind: "embedded",
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
