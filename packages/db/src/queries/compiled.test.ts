import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { compiledStatement } from "./compiled.ts";

const dialect = new PgDialect();
const build = (keys: string, now: string) => {
  const at = sql`${now}::timestamptz`;
  const nested = sql`select ${keys}::jsonb as k, ${at} as a, ${42} as n where ${at} > ${at} - interval '1 day'`;
  return sql`with q as (${nested}) select * from q where k <> ${keys}::jsonb`;
};

describe("compiledStatement", () => {
  const compiled = compiledStatement(build, ["\u0000keys", "\u0000now"]);

  it("gives the text and values building the statement would, for any values", () => {
    for (const [keys, now] of [
      ['[{"i":0}]', "2026-11-27T00:00:00.000Z"],
      ["$1 $2", "$10"],
      ["", ""],
    ] as const)
      expect(dialect.sqlToQuery(compiled(keys, now))).toEqual(dialect.sqlToQuery(build(keys, now)));
  });

  it("keeps a value of the template that is not an argument", () => {
    expect(dialect.sqlToQuery(compiled("k", "n")).params).toContain(42);
  });

  it("cannot vanish inside another statement", () => {
    expect(() => dialect.sqlToQuery(sql`select * from (${compiled("k", "n")}) q`)).toThrow(/runs on its own/);
  });

  it("refuses samples that could be mistaken for each other", () => {
    expect(() => compiledStatement(build, ["same", "same"])).toThrow(/must differ/);
  });
});
