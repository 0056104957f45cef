import type { JobContext } from "../context.ts";

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

export interface JobOutcome {
  job: string;
  ok: boolean;
  durationMs: number;
  summary?: string;
  error?: string;
  nextRunAt?: Date;
}
