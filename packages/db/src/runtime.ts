import { openDatabase, type DbHandle } from "./client.ts";
import { migrateDatabase } from "./migrate.ts";

let opening: Promise<DbHandle> | undefined;

/**
 * The process-wide database, opened and migrated on first use (never at import time, so
 * `next build` touches no database). A failed open is forgotten, so the next call retries:
 * an app started while PostgreSQL is down becomes ready once it is up, without a restart.
 */
export function database(): Promise<DbHandle> {
  if (!opening) {
    const attempt = openDatabase().then(async (handle) => {
      try {
        await migrateDatabase(handle);
        return handle;
      } catch (error) {
        await handle.close().catch(() => {});
        throw error;
      }
    });
    opening = attempt;
    attempt.catch(() => {
      if (opening === attempt) opening = undefined;
    });
  }
  return opening;
}

/** Closes the process-wide database, if open (graceful shutdown, tests). */
export async function closeDatabase(): Promise<void> {
  const current = opening;
  opening = undefined;
  if (current) await (await current.catch(() => null))?.close();
}
