import { SQL, type QueryWithTypings } from "drizzle-orm";
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
  const built = dialect.sqlToQuery(build(...sample));
  const sources = built.params.map((value): { arg: number } | { value: unknown } => {
    const arg = sample.indexOf(value as string);
    return arg >= 0 ? { arg } : { value };
  });
  return (...args) =>
    new BoundStatement({
      ...built,
      params: sources.map((source) => ("arg" in source ? args[source.arg] : source.value)),
    });
}

/**
 * A statement whose text is already built: drizzle runs it as it is (`db.execute`), without
 * walking chunks again. It has no chunks to give, so placing it inside another template, where it
 * would vanish, throws instead.
 */
class BoundStatement extends SQL {
  constructor(private readonly query: QueryWithTypings) {
    super([]);
    Object.defineProperty(this, "queryChunks", {
      get: () => {
        throw new Error("a compiled statement runs on its own (db.execute); it cannot be part of another statement");
      },
    });
  }

  override toQuery(): QueryWithTypings {
    return this.query;
  }
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
