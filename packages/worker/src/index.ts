import type { DbHandle } from "@rollgate/db/client";
import { DEFAULT_WORKER_CONFIG, type JobContext, type WorkerConfig } from "./context.ts";
import { startEmbeddedWorker, type RunningWorker } from "./embedded.ts";
import { JOBS, type JobDefinition, type JobOutcome } from "./jobs/index.ts";

export { DEFAULT_WORKER_CONFIG, type JobContext, type WorkerConfig } from "./context.ts";
export { JOBS, type JobDefinition, type JobOutcome } from "./jobs/index.ts";
export type { RunningWorker } from "./embedded.ts";
export { readWorkerEnv } from "./env.ts";

export interface StartOptions {
  handle: DbHandle;
  secretKey: string;
  now?: () => Date;
  config?: Partial<WorkerConfig>;
  onOutcome?: (o: JobOutcome) => void;
  fetch?: typeof fetch;
  /** The jobs to run (default: all of `JOBS`); tests pick some. */
  jobs?: JobDefinition[];
}

/**
 * Starts the background jobs on `handle`: graphile-worker on PostgreSQL (exactly once across
 * replicas), the embedded loop on PGlite (one process owns the data folder anyway).
 */
export async function startWorker(options: StartOptions): Promise<RunningWorker> {
  const ctx: JobContext = {
    db: options.handle.db,
    now: options.now ?? (() => new Date()),
    secretKey: options.secretKey,
    config: { ...DEFAULT_WORKER_CONFIG, ...options.config },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const jobs = options.jobs ?? JOBS;
  if (options.handle.kind === "postgres") {
    const { startGraphileWorker } = await import("./graphile.ts");
    return startGraphileWorker(ctx, { connectionString: options.handle.url!, onOutcome: options.onOutcome, jobs });
  }
  return startEmbeddedWorker(ctx, { onOutcome: options.onOutcome, jobs });
}
