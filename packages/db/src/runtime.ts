import { openDatabase, type DbHandle } from "./client.ts";
import { migrateDatabase } from "./migrate.ts";

// On globalThis: Next bundles route handlers, pages and instrumentation (the worker) apart,
// and two PGlite instances on one data folder would corrupt it.
const KEY = Symbol.for("rollgate.database");
const slot = globalThis as typeof globalThis & { [KEY]?: Promise<DbHandle> };

/**
 * The process-wide database, opened and migrated on first use (never at import time, so
 * `next build` touches no database). A failed open is forgotten, so the next call retries:
 * an app started while PostgreSQL is down becomes ready once it is up, without a restart.
 */
export function database(): Promise<DbHandle> {
  if (!slot[KEY]) {
    const attempt = openDatabase().then(async (handle) => {
      try {
        await migrateDatabase(handle);
        return handle;
      } catch (error) {
        await handle.close().catch(() => {});
        throw error;
      }
    });
    slot[KEY] = attempt;
    attempt.catch(() => {
      if (slot[KEY] === attempt) slot[KEY] = undefined;
    });
  }
  return slot[KEY];
}

/** Closes the process-wide database, if open (graceful shutdown, tests). */
export async function closeDatabase(): Promise<void> {
  const current = slot[KEY];
  slot[KEY] = undefined;
  if (current) await (await current.catch(() => null))?.close();
}
