import { describe, expect, it } from "vitest";
import { rehearse, RehearsalInputError, type RehearsalInput } from "./index.ts";

// The rehearsal engine on embedded PGlite: each outcome, the breaks a name match misses, dumps
// with roles and missing extensions, and bad input.

const BEFORE = `
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
CREATE TABLE users (id bigserial PRIMARY KEY, email varchar(200) NOT NULL, name text, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  status order_status NOT NULL DEFAULT 'pending',
  total numeric(10,2) NOT NULL,
  note varchar(200)
);
CREATE FUNCTION order_total(p_order bigint) RETURNS numeric LANGUAGE sql AS 'SELECT total FROM orders WHERE id = p_order';
CREATE VIEW user_emails AS SELECT id, email, name FROM users;
`;

async function run(contract: string, statements: string[], extra: Partial<RehearsalInput> = {}) {
  const report = await rehearse({
    before: { migrations: [{ name: "0001_init.sql", sql: BEFORE }] },
    expand: "",
    contract,
    statements: statements.map((text) => ({ text })),
    ...extra,
  });
  return report.statements;
}

describe("rehearse", () => {
  it("passes a statement the contract does not touch, proves one it breaks, and calls a statement broken before the contract noise", async () => {
    const [passed, proof, noise] = await run("ALTER TABLE users DROP COLUMN created_at", [
      'SELECT "id", "email" FROM "users" WHERE "id" = $1',
      'SELECT "id", "created_at" FROM "users" WHERE "id" = $1',
      'SELECT "nickname" FROM "users"',
    ]);
    expect(passed).toMatchObject({ outcome: "passed", write: false, afterExpand: null, afterContract: null });
    expect(proof).toMatchObject({
      outcome: "proof",
      afterContract: { step: "prepare", sqlstate: "42703", message: 'column "created_at" does not exist' },
    });
    expect(noise).toMatchObject({ outcome: "noise", afterExpand: { step: "prepare", sqlstate: "42703" } });
  });

  it("proves an old INSERT that omits a column the contract makes NOT NULL without a default", async () => {
    const statement = 'INSERT INTO "users" ("email", "name") VALUES ($1, $2) RETURNING "id"';
    const [proof] = await run("ALTER TABLE users ALTER COLUMN tenant_id SET NOT NULL", [statement], {
      expand: "ALTER TABLE users ADD COLUMN tenant_id bigint",
    });
    expect(proof).toMatchObject({
      outcome: "proof",
      write: true,
      afterContract: { step: "execute", sqlstate: "23502" },
    });
    const [passed] = await run(
      "ALTER TABLE users ALTER COLUMN tenant_id SET DEFAULT 1, ALTER COLUMN tenant_id SET NOT NULL",
      [statement],
      {
        expand: "ALTER TABLE users ADD COLUMN tenant_id bigint",
      },
    );
    expect(passed).toMatchObject({ outcome: "passed", write: true });
  });

  it("proves an old INSERT whose values a CHECK added by the contract refuses", async () => {
    const statement = 'INSERT INTO "orders" ("user_id", "total", "note") VALUES ($1, $2, $3)';
    const [proof] = await run("ALTER TABLE orders ADD CONSTRAINT note_short CHECK (char_length(note) <= 20)", [
      statement,
    ]);
    expect(proof).toMatchObject({ outcome: "proof", afterContract: { step: "execute", sqlstate: "23514" } });
    const [passed] = await run("ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0)", [statement]);
    expect(passed).toMatchObject({ outcome: "passed" });
  });

  it("proves writes into a narrowed type: varchar(200) to varchar(10), bigint to integer", async () => {
    const insert = 'INSERT INTO "orders" ("user_id", "total", "note") VALUES ($1, $2, $3)';
    const [note] = await run("ALTER TABLE orders ALTER COLUMN note TYPE varchar(10)", [insert]);
    expect(note).toMatchObject({ outcome: "proof", afterContract: { step: "execute", sqlstate: "22001" } });
    expect(note!.afterContract!.message).toContain("character varying(10)");
    // A bigint parameter is bound past integer's range: what a bigint column exists to hold.
    const [userId] = await run("ALTER TABLE orders ALTER COLUMN user_id TYPE integer", [
      'UPDATE "orders" SET "user_id" = $1 WHERE "id" = $2',
    ]);
    expect(userId).toMatchObject({ outcome: "proof", afterContract: { step: "execute", sqlstate: "22003" } });
    const [widened] = await run("ALTER TABLE orders ALTER COLUMN note TYPE varchar(400)", [insert]);
    expect(widened).toMatchObject({ outcome: "passed" });
  });

  it("proves a write that binds an enum label the contract removes (the type recreated without it)", async () => {
    const recreate = (labels: string) => `
      ALTER TYPE order_status RENAME TO order_status_old;
      CREATE TYPE order_status AS ENUM (${labels});
      ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;
      ALTER TABLE orders ALTER COLUMN status TYPE order_status USING status::text::order_status;
      ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'pending';
      DROP TYPE order_status_old;`;
    const statement = 'UPDATE "orders" SET "status" = $1 WHERE "id" = $2';
    const [proof] = await run(recreate("'pending', 'paid'"), [statement]);
    expect(proof).toMatchObject({ outcome: "proof", afterContract: { step: "execute", sqlstate: "22P02" } });
    expect(proof!.afterContract!.message).toContain('"shipped"');
    const [passed] = await run(recreate("'pending', 'paid', 'shipped', 'refunded'"), [statement]);
    expect(passed).toMatchObject({ outcome: "passed" });
  });

  it("proves a call of a function whose signature the contract changed, and a read of a view column it dropped", async () => {
    const [call, view, other] = await run(
      `DROP FUNCTION order_total(bigint);
       CREATE FUNCTION order_total(p_order bigint, p_currency text) RETURNS numeric LANGUAGE sql AS 'SELECT total FROM orders WHERE id = p_order';
       DROP VIEW user_emails; CREATE VIEW user_emails AS SELECT id, email FROM users;`,
      [
        "SELECT order_total($1)",
        'SELECT "name" FROM "user_emails" WHERE "id" = $1',
        'SELECT "email" FROM "user_emails" WHERE "id" = ANY($1)',
      ],
    );
    expect(call).toMatchObject({ outcome: "proof", afterContract: { step: "prepare", sqlstate: "42883" } });
    expect(view).toMatchObject({ outcome: "proof", afterContract: { step: "prepare", sqlstate: "42703" } });
    expect(other).toMatchObject({ outcome: "passed" });
  });

  it("executes an UPDATE against a seeded row (its parents seeded too), so a trigger the contract adds is met", async () => {
    const trigger = `
      CREATE FUNCTION orders_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'orders are frozen'; END $$;
      CREATE TRIGGER orders_frozen BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION orders_frozen();`;
    const [update, insert] = await run(trigger, [
      'UPDATE "orders" SET "note" = $1 WHERE "id" = $2',
      'INSERT INTO "orders" ("user_id", "total") VALUES ($1, $2) RETURNING "id"',
    ]);
    expect(update).toMatchObject({
      outcome: "proof",
      afterContract: { step: "execute", sqlstate: "P0001", message: "orders are frozen" },
    });
    // The INSERT's foreign key found its seeded parent both times.
    expect(insert).toMatchObject({ outcome: "passed", afterExpand: null });
  });

  it("keeps statements isolated: a failing write does not poison the next, and every write is rolled back", async () => {
    const insert = 'INSERT INTO "users" ("id", "email") VALUES ($1, $2)';
    const results = await run("", [insert, 'INSERT INTO "users" ("nope") VALUES ($1)', insert, "SELECT 1/0"]);
    expect(results.map((r) => r.outcome)).toEqual(["passed", "noise", "passed", "passed"]);
  });

  it("applies a pg_dump file (SET lines, an empty search path, OWNER TO a role that does not exist) and marks what a missing extension needs unverifiable", async () => {
    const dump = `--
-- PostgreSQL database dump
--
\\restrict abc123
SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;
COMMENT ON EXTENSION postgis IS 'PostGIS geometry and geography spatial types and functions';
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
CREATE TABLE public.places (id bigint NOT NULL, name text NOT NULL, location public.geometry(Point,4326));
ALTER TABLE public.places OWNER TO app_owner;
CREATE TABLE public.accounts (id bigint NOT NULL, email text NOT NULL);
ALTER TABLE public.accounts OWNER TO app_owner;
GRANT SELECT ON TABLE public.accounts TO app_reader;
ALTER TABLE ONLY public.accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);
\\unrestrict abc123
`;
    const report = await rehearse({
      before: { dump },
      expand: "ALTER TABLE accounts ADD COLUMN secret bytea",
      contract: "ALTER TABLE accounts DROP COLUMN email",
      statements: [
        { text: 'SELECT "id", "name" FROM "places" WHERE ST_DWithin("location", $1, $2)' },
        { text: 'SELECT "email" FROM "accounts" WHERE "id" = $1' },
        { text: 'UPDATE "accounts" SET "secret" = gen_random_bytes($1) WHERE "id" = $2' },
      ],
    });
    expect(report.missingExtensions).toEqual(["postgis"]);
    const [places, email, secret] = report.statements;
    expect(places).toMatchObject({ outcome: "unverifiable", afterExpand: { sqlstate: "42P01" } });
    expect(places!.unverifiable).toContain("postgis");
    expect(email).toMatchObject({ outcome: "proof", afterContract: { sqlstate: "42703" } });
    expect(secret, JSON.stringify(secret)).toMatchObject({ outcome: "passed", write: true });
  });

  it("refuses a migration with a syntax error, naming the file and the line", async () => {
    const bad = rehearse({
      before: {
        migrations: [
          { name: "0001_init.sql", sql: BEFORE },
          { name: "0002_broken.sql", sql: "CREATE TABLE a (id int);\n\nALTER TABLE a ADD COLUMN b int,,;\n" },
        ],
      },
      expand: "",
      contract: "",
      statements: [],
    });
    await expect(bad).rejects.toThrow(RehearsalInputError);
    await expect(bad).rejects.toThrow(/0002_broken\.sql, line 3.*syntax error/);
  });

  it("refuses an expand or a contract that does not apply, saying which and quoting PostgreSQL", async () => {
    await expect(run("", [], { expand: "ALTER TABLE nope ADD COLUMN x int" })).rejects.toThrow(
      /the expand script does not apply, line 1: PostgreSQL refused it: relation "nope" does not exist \(SQLSTATE 42P01\)/,
    );
    await expect(run("SELECT 1;\nALTER TABLE users DROP COLUMN nope", [])).rejects.toThrow(
      /the contract does not apply, line 2: .*column "nope" of relation "users" does not exist/,
    );
  });

  it("stops when its signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stopped"));
    await expect(
      rehearse(
        { before: { migrations: [] }, expand: "", contract: "", statements: [{ text: "SELECT 1" }] },
        { signal: controller.signal },
      ),
    ).rejects.toThrow("stopped");
  });
});
