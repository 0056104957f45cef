import { openDatabase, type DbHandle } from "./client.ts";
import { migrateDatabase } from "./migrate.ts";

/**
 * The one opening per process. Next bundles route handlers and pages separately, so a
 * module-level variable would exist once per bundle: two PGlite instances on one data
 * folder. The holder lives on globalThis under a registered symbol, which every bundle shares.
 */
const KEY = Symbol.for("rollgate.database");
const holder = (): { opening?: Promise<DbHandle> } =>
  ((globalThis as Record<symbol, { opening?: Promise<DbHandle> }>)[KEY] ??= {});

/**
 * The process-wide database, opened and migrated on first use (never at import time, so
 * `next build` touches no database). A failed open is forgotten, so the next call retries:
 * an app started while PostgreSQL is down becomes ready once it is up, without a restart.
 */
export function database(): Promise<DbHandle> {
  const state = holder();
  if (!state.opening) {
    const attempt = openDatabase().then(async (handle) => {
      try {
        await migrateDatabase(handle);
        return handle;
      } catch (error) {
        await handle.close().catch(() => {});
        throw error;
      }
    });
    state.opening = attempt;
    attempt.catch(() => {
      if (state.opening === attempt) state.opening = undefined;
    });
  }
  return state.opening;
}

/** Closes the process-wide database, if open (graceful shutdown, tests). */
export async function closeDatabase(): Promise<void> {
  const state = holder();
  const current = state.opening;
  state.opening = undefined;
  if (current) await (await current.catch(() => null))?.close();
}
