import { log } from "@rollgate/log";
import { Logger, parseCronItems, run, type Runner, type Task, type TaskList } from "graphile-worker";
import type { JobContext } from "./context.ts";
import type { JobDefinition, JobOutcome } from "./jobs/index.ts";
import type { RunningWorker } from "./embedded.ts";
import { backoffSeconds, runRecorded } from "./record.ts";

const SAMPLE = "sample_slos";

// graphile-worker reports every completed task at info: routine here, so one level down. Its
// metadata (task payloads, the connection) is not logged.
const LEVEL: Record<string, "error" | "warn" | "debug" | "trace"> = {
  error: "error",
  warning: "warn",
  info: "debug",
  debug: "trace",
};

/**
 * The worker on PostgreSQL: graphile-worker, beside the web server in every replica (or alone
 * as `rollgate worker`). Periodic jobs are crontab items, which graphile-worker schedules once
 * per period across all replicas; sampling, which needs periods under a minute, is one job
 * under a fixed job key that reschedules itself every tick, so at most one is queued; the
 * crontab re-adds it every minute (keeping its time) in case a crashed worker held it.
 * A crontab job that fails is retried with graphile-worker's exponential backoff; the
 * sampling round records its failure and comes back after a doubling delay.
 */
export async function startGraphileWorker(
  ctx: JobContext,
  options: {
    connectionString: string;
    onOutcome?: (o: JobOutcome) => void;
    concurrency?: number;
    jobs: JobDefinition[];
  },
): Promise<RunningWorker> {
  const { jobs } = options;
  let failures = 0;
  const taskList: TaskList = {};
  for (const job of jobs) {
    if (job.name === SAMPLE) continue;
    if (!job.cron) {
      // Self-rescheduling under a fixed job key, like sampling: one queued at a time across replicas.
      let jobFailures = 0;
      taskList[job.name] = (async (_payload, helpers) => {
        const outcome = await runRecorded(job, ctx, options.onOutcome);
        jobFailures = outcome.ok ? 0 : jobFailures + 1;
        const period = job.everySeconds(ctx);
        const runAt = new Date(Date.now() + (outcome.ok ? period : backoffSeconds(period, jobFailures)) * 1000);
        await helpers.addJob(job.name, {}, { jobKey: job.name, jobKeyMode: "replace", runAt, maxAttempts: 3 });
      }) satisfies Task;
      continue;
    }
    taskList[job.name] = (async () => {
      const outcome = await runRecorded(job, ctx, options.onOutcome);
      if (!outcome.ok) throw new Error(outcome.error);
    }) satisfies Task;
  }
  const sample = jobs.find((j) => j.name === SAMPLE);
  if (sample)
    taskList[SAMPLE] = (async (_payload, helpers) => {
      const outcome = await runRecorded(sample, ctx, options.onOutcome);
      failures = outcome.ok ? 0 : failures + 1;
      // The next round: at the next slot boundary of any source (a little after it), at most a tick away; after a failure, a doubling backoff.
      const tick = Date.now() + ctx.config.tickSeconds * 1000;
      const runAt = outcome.ok
        ? Math.min(tick, outcome.nextRunAt ? outcome.nextRunAt.getTime() - ctx.now().getTime() + Date.now() + 50 : tick)
        : Date.now() + backoffSeconds(ctx.config.tickSeconds, failures) * 1000;
      await helpers.addJob(
        SAMPLE,
        {},
        { jobKey: SAMPLE, jobKeyMode: "replace", runAt: new Date(runAt), maxAttempts: 3 },
      );
    }) satisfies Task;
  // A self-scheduled job is re-added every minute, keeping its time, by a crontab item of its own: a
  // worker that runs other jobs (the web server's, or `rollgate worker`) may take the kick and add it.
  const selfScheduled = jobs.filter((j) => !j.cron).map((j) => j.name);
  taskList.kick = (async (payload, helpers) => {
    const { job } = payload as { job: string };
    await helpers.addJob(job, {}, { jobKey: job, jobKeyMode: "preserve_run_at", maxAttempts: 3 });
  }) satisfies Task;

  // A period that passed while no worker ran (a restart, a deploy) runs once on the next start:
  // graphile-worker backfills the crontab's missed times within `backfillPeriod` (`?fill=` in a
  // crontab), so one period's worth catches up on the latest. The jobs sweep everything due, so
  // one catch-up run does the work of all the missed ones.
  const cron = jobs
    .filter((j) => j.cron)
    .map((j) => ({
      task: j.name,
      match: j.cron!,
      identifier: j.name,
      options: { maxAttempts: 5, backfillPeriod: j.everySeconds(ctx) * 1000 },
    }));
  const runner: Runner = await run({
    connectionString: options.connectionString,
    concurrency: options.concurrency ?? 2,
    maxPoolSize: 4,
    noHandleSignals: true,
    // Sampling rounds are scheduled to the second; graphile-worker finds future jobs by polling.
    pollInterval: Math.min(1000, ctx.config.tickSeconds * 500),
    taskList,
    parsedCronItems: parseCronItems([
      ...cron,
      ...selfScheduled.map((job) => ({
        task: "kick",
        match: "* * * * *",
        identifier: `kick_${job}`,
        payload: { job },
        options: { backfillPeriod: 0 },
      })),
    ]),
    logger: new Logger(() => (level, message) => log()[LEVEL[level] ?? "warn"]({ source: "graphile-worker" }, message)),
  });
  for (const name of selfScheduled)
    await runner.addJob(name, {}, { jobKey: name, jobKeyMode: "preserve_run_at", maxAttempts: 3 });
  return {
    kind: "graphile",
    stop: () => runner.stop(),
  };
}
