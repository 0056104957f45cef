import "server-only";
import { readDbEnv } from "@rollgate/db/env";
import { database } from "@rollgate/db/runtime";
import { log } from "@rollgate/log";
import { readWorkerEnv, startWorker, type RunningWorker } from "@rollgate/worker";
import { now } from "../clock";
import { logError } from "../errors";
import { metrics } from "../metrics";

const KEY = Symbol.for("rollgate.worker");
const slot = globalThis as typeof globalThis & { [KEY]?: Promise<RunningWorker | null> };

/**
 * Starts the background jobs beside the web server, once per process, in the background: the
 * server answers requests whether or not the database (and so the worker) is up yet. While
 * the database cannot be opened it tries again every few seconds.
 */
export function startWebWorker(): void {
  if (slot[KEY]) return;
  const { enabled, config } = readWorkerEnv();
  if (!enabled) {
    slot[KEY] = Promise.resolve(null);
    return;
  }
  const m = metrics();
  const attempt = async (): Promise<RunningWorker> => {
    for (;;) {
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
        log().info({ kind: worker.kind }, "background jobs started");
        return worker;
      } catch (error) {
        logError("worker start", error);
        await new Promise((resolve) => setTimeout(resolve, 5000).unref());
      }
    }
  };
  slot[KEY] = attempt();
}
