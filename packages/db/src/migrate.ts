import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Sql } from "postgres";
import type { DbHandle } from "./client.ts";
import { readDbEnv } from "./env.ts";

/** Any fixed 64-bit key: every Rollgate process migrating one database takes this lock. */
const MIGRATION_LOCK_KEY = 7_263_114_530_001;

/** The committed migrations: beside this package in a checkout, or `drizzle` in the
 * standalone server's folder, where the build copies them, found from the working directory (the
 * server changes to that folder) or beside the program (the migration Job runs
 * `node apps/web/migrate.mjs` from the folder above). */
export function migrationsFolder(): string {
  const configured = readDbEnv().ROLLGATE_MIGRATIONS_DIR;
  if (configured) return configured;
  const candidates = [
    path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "drizzle"),
    path.join(process.cwd(), "drizzle"),
    ...(process.argv[1] ? [path.join(path.dirname(path.resolve(process.argv[1])), "drizzle")] : []),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, "meta", "_journal.json"))) ?? candidates[0]!;
}

const pending = new WeakMap<DbHandle, Promise<void>>();

/**
 * Applies the committed migrations. On PostgreSQL the work runs under a session advisory
 * lock on one dedicated connection, so replicas starting together apply each migration
 * exactly once; the second waits and then finds nothing left to do.
 */
export function migrateDatabase(handle: DbHandle): Promise<void> {
  // Calls on one handle share one run (PGlite has no second session to lock against).
  const existing = pending.get(handle);
  if (existing) return existing;
  // A separate migration job, as the owner role, applies migrations; the app's role could not.
  if (handle.kind === "postgres" && readDbEnv().ROLLGATE_MIGRATE_ON_START === "0") return Promise.resolve();
  const run = handle.kind === "postgres" ? migratePostgres(handle) : migratePglite(handle);
  pending.set(handle, run);
  run.catch(() => pending.delete(handle));
  return run;
}

async function migratePostgres(handle: DbHandle): Promise<void> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  // One connection, so the session lock and every migrator statement share a session.
  const client = postgres(handle.url!, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(drizzle({ client }), { migrationsFolder: migrationsFolder() });
    const appRole = readDbEnv().ROLLGATE_APP_DB_ROLE;
    if (appRole) await grantAppRole(client, appRole);
  } finally {
    await client.end({ timeout: 5 });
  }
}

/**
 * The app's own role may read and write its tables but only insert and read the audit trail (and its key record):
 * it cannot update, delete, truncate or (not owning it) disable the trigger, so the chain's
 * guarantee does not rest on the app's credentials. Run by the owner after every migration.
 */
export async function grantAppRole(client: Sql, role: string): Promise<void> {
  const r = client(role);
  await client`grant usage on schema public to ${r}`;
  await client`grant select, insert, update, delete on all tables in schema public to ${r}`;
  await client`revoke update, delete, truncate on audit_events from ${r}`;
  await client`revoke update, delete, truncate on audit_key_records from ${r}`;
  await client`grant usage, select on all sequences in schema public to ${r}`;
  await client`grant usage on schema drizzle to ${r}`;
  await client`grant select on all tables in schema drizzle to ${r}`;
}

async function migratePglite(handle: DbHandle): Promise<void> {
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  await migrate(handle.db as never, { migrationsFolder: migrationsFolder() });
}
