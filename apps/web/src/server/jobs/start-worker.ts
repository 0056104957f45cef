import "server-only";
import { readDbEnv } from "@rollgate/db/env";
import { database } from "@rollgate/db/runtime";
import { log } from "@rollgate/log";
import { readWorkerEnv, startWorker } from "@rollgate/worker";
import { now } from "../clock";
import { logError } from "../errors";
import { metrics } from "../metrics";
import { workerSlot } from "./worker-slot";

/**
 * Starts the background jobs beside the web server, once per process, in the background: the
 * server answers requests whether or not the database (and so the worker) is up yet. While
 * the database cannot be opened it tries again every few seconds. With ROLLGATE_WORKER=0 it
 * runs none (`rollgate worker` runs them all, the GitHub poll included).
 */
export function startWebWorker(): void {
  const { enabled, config } = readWorkerEnv();
  if (!enabled) return;
  const slot = workerSlot();
  if (slot.starting) return;
  slot.starting = true;
  const m = metrics();
  const attempt = async (): Promise<void> => {
    while (!slot.stopping) {
      try {
        const handle = await database();
        const worker = await startWorker({
          handle,
          secretKey: readDbEnv().ROLLGATE_SECRET_KEY,
          now,
          config,
          onOutcome: (o) => {
            m.jobRuns.inc({ job: o.job, outcome: o.ok ? "ok" : "failed" });
            m.jobDuration.observe({ job: o.job }, o.durationMs / 1000);
          },
        });
        slot.running = worker;
        log().info({ kind: worker.kind }, "background jobs started");
        if (slot.stopping) await worker.stop(); // SIGTERM came while it started
        return;
      } catch (error) {
        logError("worker start", error);
        await new Promise((resolve) => setTimeout(resolve, 5000).unref());
      }
    }
  };
  void attempt();
}
