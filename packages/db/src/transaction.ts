import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Db } from "./db.ts";

const dialect = new PgDialect({ casing: "snake_case" });

// The front and Next.js bundle this module apart, and either may open the process's database:
// the brand and the registry are shared through `Symbol.for`, not by class identity.
const BRAND = Symbol.for("rollgate.db.committing");

/** Whether `value` is a `Committing` made by any copy of this module. */
export function isCommitting(value: unknown): value is Committing<unknown> {
  return typeof value === "object" && value !== null && (value as { [BRAND]?: boolean })[BRAND] === true;
}

/**
 * A transaction's result with its last writes not yet sent: on PostgreSQL they go out with
 * COMMIT, one round trip for both (docs/ARCHITECTURE.md, "Prepared statements"). They are handed
 * over as statements, not started, so none of them can reach the database after COMMIT.
 */
export class Committing<T> {
  readonly [BRAND] = true;
  constructor(
    readonly value: T,
    readonly statements: SQL[],
  ) {}

  /** The statements' text and values, for the driver. */
  queries(): Array<{ sql: string; params: unknown[] }> {
    return this.statements.map((statement) => dialect.sqlToQuery(statement));
  }
}

/** Ends a transaction's work: `statements` run last, in order, in the transaction; `value` is its result. */
export function commitWith<T>(value: T, ...statements: SQL[]): Committing<T> {
  return new Committing(value, statements);
}

const REGISTRY = Symbol.for("rollgate.db.pipelining");
const pipelining = ((globalThis as { [REGISTRY]?: WeakSet<object> })[REGISTRY] ??= new WeakSet<object>());

/** Marks a database whose transactions send a `Committing` result's statements with COMMIT (client.ts). */
export function markPipelining(db: Db): void {
  pipelining.add(db);
}

/**
 * `db.transaction(work)`, where `work` may end with `commitWith`. On a database that pipelines
 * (PostgreSQL through postgres.js) the last statements go out with COMMIT; otherwise (PGlite, or
 * a transaction nested in another) they run one after another before it.
 */
export async function transaction<T>(db: Db, work: (tx: Db) => Promise<T | Committing<T>>): Promise<T> {
  if (pipelining.has(db)) return (await db.transaction(work)) as T;
  return db.transaction(async (tx) => {
    const out = await work(tx);
    if (!isCommitting(out)) return out;
    for (const statement of out.statements) await tx.execute(statement);
    return out.value as T;
  });
}
