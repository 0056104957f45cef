import type { JobContext } from "../context.ts";
import { expireLeases, prune } from "./maintenance.ts";
import { deliverNotifications, watchWindows } from "./notifications.ts";
import { sampleSlos } from "./sample-slos.ts";

export interface JobDefinition {
  name: string;
  /** The period (embedded runner), and the crontab line on graphile-worker; null: a job that reschedules itself every period (`sample_slos` every tick, `deliver_notifications` every second). */
  cron: string | null;
  everySeconds: (ctx: JobContext) => number;
  run: (ctx: JobContext) => Promise<string | JobResult>;
}

/** What a run reports; `nextRunAt` asks for the next run earlier than the period (sampling: the next slot). */
export interface JobResult {
  summary: string;
  nextRunAt?: Date;
}

export const JOBS: JobDefinition[] = [
  { name: "sample_slos", cron: null, everySeconds: (ctx) => ctx.config.tickSeconds, run: sampleSlos },
  { name: "expire_leases", cron: "* * * * *", everySeconds: () => 60, run: expireLeases },
  { name: "prune", cron: "17 * * * *", everySeconds: () => 3600, run: prune },
  { name: "deliver_notifications", cron: null, everySeconds: () => 1, run: deliverNotifications },
  { name: "watch_windows", cron: "* * * * *", everySeconds: () => 60, run: watchWindows },
];

export interface JobOutcome {
  job: string;
  ok: boolean;
  durationMs: number;
  summary?: string;
  error?: string;
  nextRunAt?: Date;
}
