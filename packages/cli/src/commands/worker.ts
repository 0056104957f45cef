import { parseArgs } from "node:util";
import { openDatabase } from "@rollgate/db/client";
import { readDbEnv } from "@rollgate/db/env";
import { migrateDatabase } from "@rollgate/db/migrate";
import { readWorkerEnv, startWorker } from "@rollgate/worker";
import { UsageError, type Io } from "../io.ts";

/**
 * `rollgate worker` — the background jobs alone, for a deployment that runs them apart from
 * the web servers (set ROLLGATE_WORKER=0 there). Needs DATABASE_URL: embedded PGlite belongs
 * to the one process that opened it, so there the web server runs the jobs itself.
 * On SIGTERM or SIGINT it takes no new job, finishes the one running and exits 0.
 */
export async function workerCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" } }, allowPositionals: false });
  const dbEnv = readDbEnv();
  if (!dbEnv.DATABASE_URL)
    throw new UsageError(
      "the worker needs DATABASE_URL (PostgreSQL); with embedded PGlite the web server runs the jobs itself.",
    );
  // Listening from the start: a signal during start-up stops the worker once it runs, never mid-job.
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  const handle = await openDatabase({ url: dbEnv.DATABASE_URL, max: 4 });
  await migrateDatabase(handle);
  const { config } = readWorkerEnv();
  const worker = await startWorker({
    handle,
    secretKey: dbEnv.ROLLGATE_SECRET_KEY,
    config,
    onOutcome: (o) => {
      // A failure is logged by the worker itself (a JSON line on standard output).
      if (values.json)
        io.out(
          JSON.stringify({ job: o.job, ok: o.ok, ms: Math.round(o.durationMs), summary: o.summary, error: o.error }),
        );
    },
  });
  io.err(`rollgate worker: running (${worker.kind}); stop with SIGTERM.`);
  await stopped;
  io.err("rollgate worker: stopping after the jobs running now.");
  await worker.stop();
  await handle.close();
  return 0;
}
