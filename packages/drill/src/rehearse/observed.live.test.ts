import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { REHEARSAL_CORPUS } from "../../test/rehearsal-corpus.ts";
import { rehearse } from "./index.ts";

// Issue 29's live acceptance: the statements pg_stat_statements observed for app v1 on a real
// PostgreSQL, rehearsed against the contract on embedded PGlite, give the same verdict as running
// v1's queries after that contract on the real server. v1 is the corpus's Drizzle shop (its own
// statements with the values it binds) plus two queries that write their constants inline, which
// the server normalises before anyone sees them.

const v1Cases = REHEARSAL_CORPUS.filter((c) => c.orm === "drizzle");
const SCHEMA = v1Cases[0]!.schema;

interface Query {
  text: string;
  params: Array<string | null>;
}

const V1: Query[] = [
  ...v1Cases.map((c) => ({ text: c.statement, params: c.params ?? [] })),
  // Constants in the text: pg_stat_statements reports them as $1, $2.
  { text: `select "id", "nickname" from "users" where "users"."email" = 'ada@example.com' limit 1`, params: [] },
  { text: `select count(*) from "orders" where "orders"."status" = 'paid' and "orders"."total" > 10`, params: [] },
];

// One release's contract: a column dropped, a NOT NULL added that v1's insert does not know of,
// an enum value removed that v1 still writes. (Not a CHECK that only some values violate, like
// `quantity > 0` against v1's zero-quantity lines: pg_stat_statements keeps no values, so whether
// v1 binds a violating one is not in what was observed. The rehearsal then says passed where the
// server fails: the corpus's truth test holds such cases with their values.)
const CONTRACT = `
alter table users drop column nickname;
update orders set currency = 'EUR' where currency is null;
alter table orders alter column currency set not null;
alter type order_status rename to order_status_old;
create type order_status as enum ('pending', 'paid', 'cancelled');
alter table orders alter column status drop default;
alter table orders alter column status type order_status using status::text::order_status;
alter table orders alter column status set default 'pending';
drop type order_status_old;`;

let admin: postgres.Sql;
let app: postgres.Sql;
let database: string;
let role: string;

beforeAll(async () => {
  const adminUrl = inject("statsDatabaseUrl");
  const suffix = randomBytes(5).toString("hex");
  database = `rehearse_${suffix}`;
  role = `app_v1_${suffix}`;
  const server = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await server.unsafe(`create role ${role} login`);
  await server.unsafe(`create database ${database} owner ${role}`);
  await server.end();
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  admin = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  await admin.unsafe("create extension if not exists pg_stat_statements");
  url.username = role;
  app = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  // The application's own role owns its schema, as after its migrations.
  await app.unsafe(SCHEMA);
});

afterAll(async () => {
  await app?.end();
  await admin?.end();
  const server = postgres(inject("statsDatabaseUrl"), { max: 1, onnotice: () => undefined });
  await server.unsafe(`drop database if exists ${database} with (force)`);
  await server.unsafe(`drop role if exists ${role}`);
  await server.end();
});

/** Runs one query as the application does (unnamed statement, values untyped), then rolls it back. Returns its error, or null. */
async function run(query: Query): Promise<string | null> {
  const session = await app.reserve();
  try {
    await session.unsafe("begin");
    await session.unsafe(query.text, query.params, { prepare: false });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await session.unsafe("rollback");
    session.release();
  }
}

/** The normalised texts pg_stat_statements recorded for the application's role in this database since the last reset. */
async function observed(): Promise<Array<{ query: string; calls: number }>> {
  const rows = await admin.unsafe<Array<{ query: string; calls: string }>>(
    `select query, calls from pg_stat_statements
      where userid = (select oid from pg_roles where rolname = $1)
        and dbid = (select oid from pg_database where datname = current_database())
        and toplevel and lower(query) not in ('begin', 'rollback')`,
    [role],
  );
  return rows.map((r) => ({ query: r.query, calls: Number(r.calls) }));
}

it("the rehearsal's proofs are exactly the observed statements that fail after the contract on the real server", async () => {
  // v1 runs; the server records each query's normalised text.
  const texts: string[] = [];
  for (const query of V1) {
    await admin.unsafe("select pg_stat_statements_reset((select oid from pg_roles where rolname = $1))", [role]);
    expect(await run(query), query.text).toBeNull();
    const seen = await observed();
    expect(seen, query.text).toHaveLength(1);
    texts.push(seen[0]!.query);
  }
  // What the server saw is normalised: no constant of the inline queries is left.
  expect(texts.at(-2)).toContain(`"users"."email" = $1 limit $2`);
  expect(texts.at(-1)).not.toMatch(/'paid'|> 10/);

  const report = await rehearse({
    before: { migrations: [{ name: "0001_v1.sql", sql: SCHEMA }] },
    expand: "",
    contract: CONTRACT,
    statements: [...new Set(texts)].map((text) => ({ text, calls: 1 })),
  });
  expect(report.statements.map((s) => s.outcome).filter((o) => o !== "proof" && o !== "passed")).toEqual([]);
  const proofs = new Set(report.statements.filter((s) => s.outcome === "proof").map((s) => s.statement.text));

  // The contract on the real server, then v1 again.
  await app.unsafe(CONTRACT);
  const failing = new Set<string>();
  const errors: Record<string, string> = {};
  for (const [i, query] of V1.entries()) {
    const error = await run(query);
    if (error) {
      failing.add(texts[i]!);
      errors[texts[i]!] = error;
    }
  }

  // The contract breaks some of v1 and not all of it, so agreement says something both ways.
  expect(failing.size).toBeGreaterThanOrEqual(3);
  expect(failing.size).toBeLessThan(texts.length);
  expect(
    [...proofs].sort(),
    JSON.stringify({ failing: errors, proofs: report.statements.filter((s) => s.outcome === "proof") }, null, 1),
  ).toEqual([...failing].sort());
});
