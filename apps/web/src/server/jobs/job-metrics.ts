import "server-only";
import { listJobStatus } from "@rollgate/db/queries/jobs";
import { database } from "@rollgate/db/runtime";
import { metrics } from "../metrics";

/** Copies every job's status (shared by all workers, in the database) into the gauges before a scrape. */
export async function refreshJobGauges(): Promise<void> {
  const m = metrics();
  try {
    const { db } = await withTimeout(database(), 1000);
    for (const s of await withTimeout(listJobStatus(db), 1000)) {
      m.jobFailing.set({ job: s.job }, s.consecutiveFailures);
      if (s.lastSucceededAt) m.jobLastSuccess.set({ job: s.job }, s.lastSucceededAt.getTime() / 1000);
    }
  } catch {
    // The database is down: `rollgate_database_up` says so; the gauges keep their last values.
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), ms))),
  ]).finally(() => clearTimeout(timer));
}
