import "server-only";
import { database } from "@rollgate/db/runtime";
import { env } from "./env";
import { metrics } from "./metrics";

export type Readiness = { ready: true; database: string } | { ready: false; reason: string };

/** Ready means: the database answers now. Opening (and migrating) is retried on every probe. */
export async function checkReadiness(): Promise<Readiness> {
  const m = metrics();
  try {
    const handle = await database();
    await handle.ping(env().ROLLGATE_READY_TIMEOUT_MS);
    m.databaseUp.set(1);
    m.readinessChecks.inc({ result: "ready" });
    return { ready: true, database: handle.kind };
  } catch (error) {
    m.databaseUp.set(0);
    m.readinessChecks.inc({ result: "not_ready" });
    const detail = error instanceof Error ? error.message : String(error);
    return { ready: false, reason: `The database is unreachable: ${detail}` };
  }
}
