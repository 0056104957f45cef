import { mkdirSync, readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import type { Sql } from "postgres";
import { processDefaultDataDir } from "./data-dir.ts";
import { lockDataDir } from "./data-dir-lock.ts";
import { readDbEnv } from "./env.ts";
import type { Db } from "./db.ts";
import * as schema from "./schema/index.ts";
import { isCommitting, markPipelining } from "./transaction.ts";

export type { Db, Schema } from "./db.ts";

export interface DbHandle {
  db: Db;
  kind: "postgres" | "pglite";
  /** The connection URL when kind is postgres (migrations open their own session). */
  url?: string;
  /** Runs `select 1`; rejects when the database does not answer within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  /**
   * Subscribes to a NOTIFY channel (postgres.js: one dedicated connection, re-subscribed after
   * a reconnect; PGlite: the embedded instance). `onListen` runs each time the subscription is
   * (re)established, since notifications sent while it was down are lost. Resolves to unlisten.
   */
  listen(channel: string, onPayload: (payload: string) => void, onListen?: () => void): Promise<() => Promise<void>>;
  /**
   * Takes the session advisory lock `key` unless someone holds it, and resolves to its release,
   * or null when it is held. PostgreSQL: `pg_try_advisory_lock` on a connection of its own, kept
   * until the release (or until it drops, which frees the lock), so it holds across every process
   * on the database. PGlite: in this process, the only one that opens the data folder (its single
   * session would take a session lock again).
   */
  tryLock(key: number): Promise<(() => Promise<void>) | null>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; when absent, embedded PGlite is used. */
  url?: string;
  /** PGlite data folder; `memory://` for a throwaway database. */
  dataDir?: string;
  /** Pool size for postgres.js. */
  max?: number;
}

/** Opens a connection pool (postgres.js) or an embedded PGlite database. Does not migrate. */
export async function openDatabase(options: OpenOptions = {}): Promise<DbHandle> {
  const env = options.url || options.dataDir ? null : readDbEnv();
  const url = options.url ?? env?.DATABASE_URL;
  if (url) return openPostgres(url, options.max ?? 10);
  return openPglite(options.dataDir ?? env?.ROLLGATE_DATA_DIR ?? processDefaultDataDir());
}

async function openPostgres(url: string, max: number): Promise<DbHandle> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  // No JIT compilation. The gate-facts statement reads its rollouts from a jsonb_to_recordset,
  // which the planner counts as 100 rows, so with a large slo_snapshots its estimate passes
  // jit_above_cost and every read of one rollout's gate compiled about 200 functions first:
  // PostgreSQL's log showed 5–8 s of JIT in one rollout page of the render benchmark (1,000,000
  // snapshots, a loaded machine), 0.2 s for the page without (docs/BENCHMARKS.md, rollout page
  // render). Rollgate's statements are short lookups: compiling them never pays.
  const client = postgres(url, { max, connect_timeout: 5, onnotice: () => {}, connection: { jit: "off" } });
  const db = drizzle({ client: preparing(client), schema, casing: "snake_case" });
  markPipelining(db);
  return {
    db,
    kind: "postgres",
    url,
    ping: (timeoutMs = 2000) => withTimeout(db.execute(sql`select 1`), timeoutMs),
    listen: async (channel, onPayload, onListen) => {
      const { unlisten } = await client.listen(channel, onPayload, onListen);
      return unlisten;
    },
    tryLock: async (key) => {
      const connection = await client.reserve();
      try {
        const [row] = await connection`select pg_try_advisory_lock(${key}) as taken`;
        if (row?.taken === true)
          return async () => {
            try {
              await connection`select pg_advisory_unlock(${key})`;
            } finally {
              connection.release();
            }
          };
      } catch (error) {
        connection.release();
        throw error;
      }
      connection.release();
      return null;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Every statement prepared, once per connection. drizzle asks postgres.js not to prepare what
 * it did not name with `.prepare()`, and an unnamed statement with parameters costs two round
 * trips (its parameter types are asked for first, which also stops pipelining); a prepared one
 * is one Bind and Execute. The cache lives as long as its connection, which postgres.js replaces
 * every 30–60 minutes. (A transaction-mode pooler in between would need session mode.)
 */
function preparing<T extends Sql>(client: T): T {
  return new Proxy(client, {
    get(target, key) {
      if (key === "unsafe") return prepared(target, () => {});
      if (key === "begin") return (...args: unknown[]) => pipelinedBegin(target, args);
      return Reflect.get(target, key);
    },
  });
}

type Unsafe = (query: string, args?: never[], options?: object) => ReturnType<Sql["unsafe"]>;

/** `unsafe`, prepared, and queued at once rather than when first awaited, so statements issued
 * together go out (pipelined) in the order they were issued. `onError` sees each one that fails. */
function prepared(client: Sql, onError: (error: unknown) => void): Unsafe {
  return (query, args, options) => {
    const statement = client.unsafe(query, args, { ...options, prepare: true }).execute();
    statement.catch(onError);
    return statement;
  };
}

/**
 * A transaction whose BEGIN goes out with its first statements instead of a round trip ahead of
 * them (postgres.js's own `begin` waits for BEGIN's answer): on one reserved connection, BEGIN is
 * queued and the work runs at once. A work that ends with `commitWith` (transaction.ts) has its
 * last statements sent with COMMIT, in the same write. As in postgres.js, a statement of the
 * transaction that failed fails the transaction even if the work did not wait for it (COMMIT
 * then answers ROLLBACK), and nested transactions are savepoints. Should BEGIN itself fail (the
 * connection died), the statements behind it fail too.
 */
async function pipelinedBegin(pool: Sql, args: unknown[]): Promise<unknown> {
  const work = args.pop() as (tx: Sql) => unknown;
  const mode = typeof args[0] === "string" ? args[0].replace(/[^a-z ]/gi, "") : "";
  const connection = await pool.reserve();
  let savepoints = 0;
  const scope = async (open: string, done: string, undo: string, body: (tx: Sql) => unknown) => {
    let failed: { error: unknown } | undefined;
    const unsafe = prepared(connection, (error) => void (failed ??= { error }));
    const tx: Sql = new Proxy(connection, {
      get(target, key) {
        if (key === "unsafe") return unsafe;
        if (key === "savepoint")
          return (...a: unknown[]) => {
            const name = `s${(savepoints += 1)}`;
            return scope(
              `savepoint ${name}`,
              `release savepoint ${name}`,
              `rollback to savepoint ${name}`,
              a.pop() as never,
            );
          };
        return Reflect.get(target, key);
      },
    });
    void unsafe(open);
    try {
      const result = await body(tx);
      const last = isCommitting(result) ? result.queries() : [];
      // Issued in one tick, so they leave in one write, in this order.
      const sent = [
        ...last.map(({ sql, params }) => unsafe(sql, params as never[])),
        connection.unsafe(done).execute(),
      ];
      const answers = await Promise.allSettled(sent);
      if (failed) throw failed.error;
      const closed = answers.at(-1)!;
      if (closed.status === "rejected") throw closed.reason;
      const tag = (closed.value as { command?: string }).command?.toLowerCase();
      if (done === "commit" && tag !== "commit") throw new Error(`COMMIT was answered with ${tag ?? "nothing"}`);
      return isCommitting(result) ? result.value : result;
    } catch (error) {
      await connection.unsafe(undo).catch(() => {});
      throw error;
    }
  };
  try {
    return await scope(`begin ${mode}`, "commit", "rollback", work);
  } finally {
    connection.release();
  }
}

async function openPglite(dataDir: string): Promise<DbHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let unlock = () => {};
  if (!dataDir.startsWith("memory://")) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  let client: InstanceType<typeof PGlite>;
  try {
    client = await PGlite.create(dataDir, templateOptions(dataDir));
  } catch (error) {
    unlock();
    throw error;
  }
  const db = drizzle({ client, schema, casing: "snake_case" });
  const held = new Set<number>();
  return {
    db: db as unknown as Db,
    kind: "pglite",
    ping: (timeoutMs = 2000) => withTimeout(db.execute(sql`select 1`), timeoutMs),
    listen: async (channel, onPayload, onListen) => {
      const unlisten = await client.listen(channel, onPayload);
      onListen?.();
      return () => unlisten();
    },
    tryLock: async (key) => {
      if (held.has(key)) return null;
      held.add(key);
      return async () => void held.delete(key);
    },
    close: () => client.close().finally(unlock),
  };
}

/**
 * ROLLGATE_PGLITE_TEMPLATE (set by the test runner, scripts/pglite-template.ts): a dump of a
 * fresh cluster that a throwaway `memory://` database loads instead of running initdb, which
 * costs about 4 s of CPU each time. Nothing else changes: the database is as empty as initdb's.
 */
function templateOptions(dataDir: string): { loadDataDir: Blob } | undefined {
  const template = readDbEnv().ROLLGATE_PGLITE_TEMPLATE;
  if (!template || !dataDir.startsWith("memory://")) return undefined;
  return { loadDataDir: new Blob([readFileSync(template)]) };
}

/**
 * The rows of a raw `db.execute`: postgres.js answers with an array, PGlite with `{ rows }`.
 * Every raw query reads its result through this, whichever engine runs it.
 */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
