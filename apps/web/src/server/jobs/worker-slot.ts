import type { RunningWorker } from "@rollgate/worker";

// The process's background jobs, on globalThis: Next bundles the instrumentation hook apart from
// the server's front (server/front/main.ts), which stops them on SIGTERM. Nothing heavy is
// imported here, so the front's bundle stays small.
const KEY = Symbol.for("rollgate.worker");

export interface WorkerSlot {
  /** Set once start-up has begun in this process. */
  starting?: boolean;
  running?: RunningWorker;
  /** The process is stopping: a worker still starting stops as soon as it runs. */
  stopping?: boolean;
}

export const workerSlot = (): WorkerSlot => ((globalThis as Record<symbol, WorkerSlot>)[KEY] ??= {});

/** Takes no new job and waits for the running ones; a worker still starting never takes one. */
export async function stopProcessWorker(): Promise<void> {
  const slot = workerSlot();
  slot.stopping = true;
  await slot.running?.stop();
}
