import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { openDatabase, type DbHandle } from "../src/client.ts";
import { migrateDatabase } from "../src/migrate.ts";

/** The database the test run targets: PostgreSQL when DATABASE_URL is set, else PGlite. */
export const target: "postgres" | "pglite" = process.env.DATABASE_URL ? "postgres" : "pglite";

/**
 * A migrated database for one test file, closed after it. On PostgreSQL every file shares
 * DATABASE_URL (tests make their own rows with random ids); on PGlite each file gets its
 * own in-memory instance.
 */
export async function testDatabase(): Promise<DbHandle> {
  const handle = await openDatabase(
    process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, max: 4 } : { dataDir: "memory://" },
  );
  await migrateDatabase(handle);
  afterAll(() => handle.close());
  return handle;
}

export function uniqueSlug(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Creates an empty PostgreSQL database and returns its URL (for tests of start-up). */
export async function emptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: postgres } = await import("postgres");
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  const name = `rollgate_t_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
