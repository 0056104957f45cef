import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dataCheckResultSchema, SAMPLES_WITHHELD_TEXT } from "@rollgate/core/contract/data-checks";
import { runDataChecks } from "@rollgate/core/inspect/data-checks";
import { loadSqlParser } from "@rollgate/core/sql";
import { connect } from "./connect.ts";
import { freshStatsDatabase } from "../../test/fresh-stats-database.ts";

// A data check's SQL comes from whoever may send release.created: its "sample keys" must never
// carry a secret. On a real PostgreSQL, each check runs as `rollgate inspect` runs it (one
// connection, a read-only transaction, the row description of the check's text): a primary key
// column yields samples; every other first column is counted, its values withheld with the reason.

const SCHEMA = `
create table users (id int primary key, email text unique not null, password_hash text not null);
create table secrets (secret text not null);
create table memberships (team int, member int, note text, primary key (team, member));
create view user_emails as select id, email from users;
insert into users select g, 'user' || g || '@example.com', 'hash-' || g from generate_series(1, 8) g;
insert into secrets values ('s3cr3t-token');
insert into memberships values (7, 1, 'hush'), (7, 2, 'hush');`;

let db: Awaited<ReturnType<typeof freshStatsDatabase>>;
let app: postgres.Sql;

beforeAll(async () => {
  await loadSqlParser();
  db = await freshStatsDatabase(inject("statsDatabaseUrl"));
  app = postgres(db.url, { max: 1, onnotice: () => undefined });
  await app.unsafe(SCHEMA);
});
afterAll(async () => {
  await app?.end();
  await db?.drop();
});

/** Runs one check as `rollgate inspect` does; with `describe: false`, as over a connection that cannot describe. */
async function run(sql: string, options: { describe?: boolean } = {}) {
  const c = connect(db.url, "rollgate inspect");
  try {
    await c.query("begin transaction read only");
    const [result] = await runDataChecks(c.query, [{ name: "check", sql, checksum: "a".repeat(64) }], {
      timeoutMs: 10_000,
      clock: Date.now,
      ...(options.describe === false ? {} : { describe: c.describe }),
    });
    await c.query("rollback");
    expect(dataCheckResultSchema.safeParse(result).success).toBe(true);
    return result!;
  } finally {
    await c.close();
  }
}

/** Every value of the table's columns other than the key, as text: none may appear in a result. */
async function secretsOf(): Promise<string[]> {
  const rows = await app.unsafe<Array<{ v: string }>>(
    `select email as v from users union all select password_hash from users union all select secret from secrets
     union all select note from memberships`,
  );
  return rows.map((r) => r.v);
}

function expectNoSecret(result: unknown, secrets: string[]) {
  const text = JSON.stringify(result);
  for (const s of secrets) expect(text).not.toContain(s);
}

describe("data check sample keys", () => {
  it("reports the first five values of a primary key column, under an alias, a CTE or a subquery too", async () => {
    for (const sql of [
      "SELECT id FROM users WHERE id > 2 ORDER BY id",
      "SELECT u.id AS k, u.email FROM users u WHERE u.id > 2 ORDER BY u.id",
      "WITH late AS (SELECT id, password_hash FROM users WHERE id > 2) SELECT id FROM late ORDER BY id",
    ]) {
      const r = await run(sql);
      expect(r).toMatchObject({ rows: 6, sample_keys: ["3", "4", "5", "6", "7"] });
      expect(r.samples_withheld).toBeUndefined();
      expect(r.error).toBeUndefined();
    }
    // Each column of a composite primary key is a key column.
    expect(await run("SELECT member FROM memberships ORDER BY member")).toMatchObject({
      rows: 2,
      sample_keys: ["1", "2"],
    });
  });

  it("withholds every other first column: counted, the values never in the result", async () => {
    const secrets = await secretsOf();
    const cases: Array<[string, string, number]> = [
      // A column that is unique but not a primary key column (e-mail addresses, tokens are).
      ["SELECT email FROM users", "not_a_key_column", 8],
      ["SELECT password_hash, id FROM users", "not_a_key_column", 8],
      // A column of a table without any key.
      ["SELECT secret FROM secrets", "not_a_key_column", 1],
      // A view's column, even one that shows a primary key column.
      ["SELECT id FROM user_emails", "not_a_key_column", 8],
      ["SELECT email FROM user_emails", "not_a_key_column", 8],
      // A column of a composite key's table that is not in the key.
      ["SELECT note FROM memberships", "not_a_key_column", 2],
      // A renamed column of a subquery keeps its origin: password_hash.
      ["SELECT s.id FROM (SELECT password_hash AS id FROM users) s", "not_a_key_column", 8],
      // Computed columns: an expression, a sub-SELECT, a UNION, an outer join's merged column.
      ["SELECT id::text || email FROM users", "not_a_table_column", 8],
      ["SELECT (SELECT secret FROM secrets LIMIT 1) AS id FROM users", "not_a_table_column", 8],
      [
        "SELECT x.id FROM (SELECT id FROM users UNION ALL SELECT length(password_hash) FROM users) x",
        "not_a_table_column",
        16,
      ],
      ["SELECT id FROM users UNION SELECT 99", "not_a_table_column", 9],
      ["SELECT id FROM users a FULL JOIN users b USING (id)", "not_a_table_column", 8],
      ["SELECT FROM users", "not_a_table_column", 8],
    ];
    for (const [sql, reason, rows] of cases) {
      const r = await run(sql);
      expect({ sql, ...r }).toMatchObject({ sql, rows, sample_keys: [], samples_withheld: reason });
      expect(r.error).toBeUndefined();
      expectNoSecret(r, secrets);
    }
  });

  it("says nothing is withheld when the check finds no rows, and withholds all without a row description", async () => {
    const none = await run("SELECT email FROM users WHERE false");
    expect(none).toMatchObject({ rows: 0, sample_keys: [] });
    expect(none.samples_withheld).toBeUndefined();
    expect(await run("SELECT id FROM users", { describe: false })).toMatchObject({
      rows: 8,
      sample_keys: [],
      samples_withheld: "origin_unknown",
    });
  });

  it("a check that does not parse is an error of its own and the next check still runs", async () => {
    const c = connect(db.url, "rollgate inspect");
    try {
      await c.query("begin transaction read only");
      const results = await runDataChecks(
        c.query,
        [
          { name: "broken", sql: "SELECT no_such_column FROM users", checksum: "a".repeat(64) },
          { name: "fine", sql: "SELECT id FROM users WHERE id = 3", checksum: "b".repeat(64) },
        ],
        { timeoutMs: 10_000, clock: Date.now, describe: c.describe },
      );
      await c.query("rollback");
      expect(results[0]).toMatchObject({ name: "broken", rows: 0, sample_keys: [] });
      expect(results[0]!.error).toMatch(/no_such_column/);
      expect(results[1]).toMatchObject({ name: "fine", rows: 1, sample_keys: ["3"] });
    } finally {
      await c.close();
    }
  });

  it("reports an error that could quote a value by its SQLSTATE alone", async () => {
    const secrets = await secretsOf();
    for (const sql of [
      "SELECT id FROM users WHERE password_hash::int = 0",
      "SELECT 1 WHERE (SELECT email FROM users LIMIT 1)::date IS NULL",
      "SELECT id FROM users WHERE to_number(email, '999') > 0 AND id = 1",
      "SELECT id FROM users WHERE (SELECT secret FROM secrets)::jsonb IS NULL",
    ]) {
      const r = await run(sql);
      expect(r.error).toMatch(/^PostgreSQL error SQLSTATE 22\w{3} \(its message is withheld: /);
      expectNoSecret(r, secrets);
    }
    // Errors about the statement keep their message.
    expect((await run("SELECT id FROM users WHERE nope")).error).toMatch(
      /column "nope" does not exist \(SQLSTATE 42703\)/,
    );
    expect((await run("SELECT id FROM users WHERE 1 / (id - id) = 1")).error).toMatch(
      /division by zero \(SQLSTATE 22012\)/,
    );
  });

  it("each reason has a sentence for people", () => {
    for (const text of Object.values(SAMPLES_WITHHELD_TEXT)) expect(text).toMatch(/^sample keys withheld: /);
  });
});
