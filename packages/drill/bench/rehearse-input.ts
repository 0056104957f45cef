// The rehearsal benchmark's input: a generated 300-table schema, an expand, a contract and 2,000
// statements in the shapes ORMs emit (shared by the engine's bench and the CLI's).
import type { RehearsalInput } from "../src/rehearse/index.ts";

export const TABLES = 300;
export const STATEMENTS = 2000;

/** 300 tables: an id, a foreign key to an earlier table, text, varchar, numeric, enum, jsonb, timestamps; views over a few. */
export function schema(): string {
  const lines = ["CREATE TYPE state AS ENUM ('draft', 'active', 'archived');"];
  for (let t = 0; t < TABLES; t += 1) {
    const parent = t > 0 ? `, parent_id bigint REFERENCES t${Math.floor(t / 2)}(id)` : "";
    lines.push(
      `CREATE TABLE t${t} (id bigserial PRIMARY KEY${parent}, name varchar(120) NOT NULL, slug text UNIQUE, amount numeric(12,2) NOT NULL DEFAULT 0,` +
        ` state state NOT NULL DEFAULT 'draft', data jsonb NOT NULL DEFAULT '{}', legacy_code varchar(40), created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz);`,
      `CREATE INDEX t${t}_created ON t${t} (created_at);`,
    );
    if (t % 10 === 0) lines.push(`CREATE VIEW v${t} AS SELECT id, name, legacy_code FROM t${t};`);
  }
  return lines.join("\n");
}

export const expand = () =>
  Array.from({ length: TABLES }, (_, t) => (t % 5 === 0 ? `ALTER TABLE t${t} ADD COLUMN code varchar(40);` : "")).join(
    "\n",
  );

/** Drops the legacy column of every tenth table (and its view), makes code NOT NULL on others, narrows a name. */
export const contract = () =>
  Array.from({ length: TABLES }, (_, t) => {
    if (t % 10 === 0) return `DROP VIEW v${t}; ALTER TABLE t${t} DROP COLUMN legacy_code;`;
    if (t % 5 === 0) return `ALTER TABLE t${t} ALTER COLUMN code SET DEFAULT 'x', ALTER COLUMN code SET NOT NULL;`;
    if (t % 7 === 0) return `ALTER TABLE t${t} ALTER COLUMN name TYPE varchar(20);`;
    return "";
  }).join("\n");

/** Drizzle/Prisma/ActiveRecord/Django/Hibernate shapes, round robin over the tables. */
export function statements(): RehearsalInput["statements"] {
  const shapes = [
    (t: number) =>
      `SELECT "id", "name", "slug", "amount", "state", "legacy_code" FROM "t${t}" WHERE "id" = $1 LIMIT $2`,
    (t: number) =>
      `select "t${t}"."id", "t${t}"."name" from "t${t}" where "t${t}"."state" = $1 order by "t${t}"."created_at" desc limit $2 offset $3`,
    (t: number) =>
      `INSERT INTO "t${t}" ("name", "slug", "amount", "state", "data", "legacy_code") VALUES ($1, $2, $3, $4, $5, $6) RETURNING "id"`,
    (t: number) => `UPDATE "t${t}" SET "name" = $1, "updated_at" = $2 WHERE "t${t}"."id" = $3`,
    (t: number) => `DELETE FROM "t${t}" WHERE "id" = ANY($1)`,
    (t: number) => `SELECT COUNT(*) AS "__count" FROM "t${t}" WHERE ("t${t}"."data" ->> $1) = $2`,
    (t: number) =>
      `INSERT INTO "t${t}" ("name", "slug") VALUES ($1, $2) ON CONFLICT ("slug") DO UPDATE SET "name" = EXCLUDED."name", "updated_at" = $3`,
    (t: number) =>
      `WITH recent AS (SELECT "id" FROM "t${t}" WHERE "created_at" > $1) SELECT "id", "legacy_code" FROM "v${t - (t % 10)}" WHERE "id" IN (SELECT "id" FROM recent)`,
    (t: number) =>
      `SELECT a."id", b."name" FROM "t${t}" a LEFT JOIN "t${Math.floor(t / 2)}" b ON b."id" = a."parent_id" WHERE a."id" = $1`,
    (t: number) => `UPDATE "t${t}" SET "amount" = "amount" + $1 WHERE "id" = $2 RETURNING "amount"`,
  ];
  return Array.from({ length: STATEMENTS }, (_, i) => ({
    text: shapes[i % shapes.length]!(Math.floor(i / shapes.length) % TABLES),
    calls: 1 + i,
  }));
}

export const benchInput = (): RehearsalInput => ({
  before: { migrations: [{ name: "0001_schema.sql", sql: schema() }] },
  expand: expand(),
  contract: contract(),
  statements: statements(),
});
