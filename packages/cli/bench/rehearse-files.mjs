// Writes the files of the rehearsal benchmark into DIR: a 300-table schema as 30 migrations,
// an expand and a contract script, and 2,000 normalised statements (one a line, `$n`
// parameters, the shapes ORMs emit) of which some break on the contract.
// Usage: node packages/cli/bench/rehearse-files.mjs DIR [--tables 300] [--statements 2000]
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { tables: { type: "string", default: "300" }, statements: { type: "string", default: "2000" } },
});
const dir = positionals[0];
if (!dir) throw new Error("usage: rehearse-files.mjs DIR [--tables N] [--statements N]");
const tables = Number(values.tables);
const count = Number(values.statements);
const t = (i) => `t_${String(i).padStart(3, "0")}`;

mkdirSync(path.join(dir, "migrations"), { recursive: true });
const perFile = 10;
for (let f = 0; f * perFile < tables; f += 1) {
  const ddl = [];
  for (let i = f * perFile; i < Math.min(tables, (f + 1) * perFile); i += 1)
    ddl.push(
      `CREATE TABLE ${t(i)} (\n  id bigint PRIMARY KEY,\n  name text NOT NULL,\n  email text,\n  status text NOT NULL DEFAULT 'new',\n` +
        `  amount numeric(12,2),\n  data jsonb NOT NULL DEFAULT '{}',\n  created_at timestamptz NOT NULL DEFAULT now(),\n` +
        `  ref_id bigint${i > 0 ? ` REFERENCES ${t(i - 1)} (id)` : ""}\n);\nCREATE INDEX ${t(i)}_status ON ${t(i)} (status);`,
    );
  writeFileSync(path.join(dir, "migrations", `${String(f + 1).padStart(4, "0")}_tables.sql`), `${ddl.join("\n\n")}\n`);
}

// Expand adds a column to the first 50 tables; the contract drops `email` from the first 10 and
// narrows `name` on the next 5 (a type change a name match misses).
const expand = [];
for (let i = 0; i < Math.min(50, tables); i += 1) expand.push(`ALTER TABLE ${t(i)} ADD COLUMN email_address text;`);
writeFileSync(path.join(dir, "expand.sql"), `SET lock_timeout = '3s';\n${expand.join("\n")}\n`);
const contract = [];
for (let i = 0; i < Math.min(10, tables); i += 1) contract.push(`ALTER TABLE ${t(i)} DROP COLUMN email;`);
for (let i = 10; i < Math.min(15, tables); i += 1)
  contract.push(`ALTER TABLE ${t(i)} ALTER COLUMN name TYPE varchar(8);`);
writeFileSync(path.join(dir, "contract.sql"), `SET lock_timeout = '3s';\n${contract.join("\n")}\n`);

const shapes = [
  (x) => `SELECT "${x}"."id", "${x}"."name", "${x}"."email" FROM "${x}" WHERE "${x}"."id" = $1 LIMIT $2`,
  (x) => `SELECT id, amount FROM ${x} WHERE status = ANY($1) ORDER BY created_at DESC LIMIT $2`,
  (x) => `INSERT INTO ${x} (id, name, email, status, amount) VALUES ($1, $2, $3, $4, $5::numeric) RETURNING id`,
  (x) => `UPDATE ${x} SET status = $1, amount = amount + $2 WHERE id = $3`,
  (x) => `SELECT data->>$1 AS v, data @> $2::jsonb AS has FROM ${x} WHERE id = $3`,
  (x) =>
    `INSERT INTO ${x} AS t (id, name, data) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, data = t.data || EXCLUDED.data`,
  (x, i) =>
    `WITH recent AS (SELECT id, ref_id FROM ${x} WHERE created_at > $1) SELECT r.id, p.name FROM recent r LEFT JOIN ${t(Math.max(0, i - 1))} p ON p.id = r.ref_id`,
  (x) => `DELETE FROM ${x} WHERE id = $1 AND status = $2`,
];
const statements = [];
for (let k = 0; k < count; k += 1) {
  const i = k % tables;
  const shape = shapes[Math.floor(k / tables) % shapes.length];
  statements.push(shape(t(i), i));
}
writeFileSync(
  path.join(dir, "statements.sql"),
  `-- ${count} statements over ${tables} tables\n${statements.join("\n")}\n`,
);
console.log(dir);
