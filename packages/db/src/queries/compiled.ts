import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Db } from "../client.ts";

// The hottest statements (a pipeline's gate read: token, rollout, facts; an event's transaction)
// spent a fifth of their CPU in drizzle building the same SQL text again on every call
// (docs/BENCHMARKS.md).
// Statements whose shape never changes are built once here; each call only binds its values.

const dialect = new PgDialect();

/**
 * `build` compiled to SQL text once, from `sample` arguments that are distinct strings. Each
 * call returns a flat statement of that text with the call's values bound where the samples
 * were (a value of the template that is not an argument stays as it was built). Values are
 * bound as given, not encoded by a column as drizzle's builder would: pass what the driver
 * takes (ISO text for a timestamp, JSON text for jsonb, numbers, null).
 */
export function compiledStatement<A extends string[]>(
  build: (...args: A) => SQL,
  sample: A,
): (...args: { [K in keyof A]: unknown }) => SQL {
  if (new Set(sample).size !== sample.length) throw new Error("compiledStatement: the sample arguments must differ");
  const { sql: text, params } = dialect.sqlToQuery(build(...sample));
  const sources = params.map((value): { arg: number } | { value: unknown } => {
    const arg = sample.indexOf(value as string);
    return arg >= 0 ? { arg } : { value };
  });
  // "… $1 … $2 …" → text, "1", text, "2", text
  const pieces = text.split(/\$(\d+)\b/);
  return (...args) =>
    sql.join(
      pieces.map((piece, n) => {
        if (n % 2 === 0) return sql.raw(piece);
        const source = sources[Number(piece) - 1]!;
        return sql`${"arg" in source ? args[source.arg] : source.value}`;
      }),
    );
}

/** One prepared query per database handle (a transaction builds its own, as before). */
export function preparedPer<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const cache = new WeakMap<Db, Q>();
  return (db) => {
    let query = cache.get(db);
    if (!query) cache.set(db, (query = build(db)));
    return query;
  };
}
