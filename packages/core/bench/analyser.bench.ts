// Benchmark: the analyser's throughput against raw libpg-query parsing of the same corpus.
// Run: pnpm exec tsx packages/core/bench/analyser.bench.ts [--write]
import os from "node:os";
import { parseSync } from "libpg-query";
import { writeBenchmarkSection } from "../../../scripts/benchmark-doc.ts";
import { analyseSqlSync, loadSqlParser } from "../src/sql/index.ts";

const TEMPLATES = [
  (_i: number) => `SET lock_timeout = '3s';`,
  (i: number) => `ALTER TABLE orders_${i} ADD COLUMN IF NOT EXISTS note_${i} text;`,
  (i: number) =>
    `CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_${i}_created_idx ON orders_${i} (created_at, customer_id);`,
  (i: number) => `ALTER TABLE public.customers_${i} DROP COLUMN IF EXISTS legacy_${i};`,
  (i: number) =>
    `CREATE TABLE IF NOT EXISTS events_${i} (id bigserial PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
  (i: number) =>
    `ALTER TABLE invoices_${i} ADD CONSTRAINT invoices_${i}_customer_fk FOREIGN KEY (customer_id) REFERENCES customers_${i} (id) NOT VALID;`,
  (i: number) =>
    `UPDATE accounts_${i} SET tier = 'basic' WHERE id BETWEEN ${i * 1000} AND ${i * 1000 + 999} AND tier IS NULL;`,
  (i: number) => `ALTER TABLE users_${i} RENAME COLUMN email TO email_address;`,
  (i: number) =>
    `-- backfill batch ${i}: DROP TABLE is only a comment here\nINSERT INTO audit_${i} (kind, body) SELECT 'migrated', row_to_json(u) FROM users_${i} u WHERE u.id > ${i} LIMIT 1000;`,
  (i: number) =>
    `CREATE OR REPLACE FUNCTION touch_${i}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;`,
];

/** 150 files of 20 statements: 3,000 statements, the same every run. */
function corpus(): string[] {
  const files: string[] = [];
  for (let f = 0; f < 150; f += 1) {
    const lines: string[] = [];
    for (let s = 0; s < 20; s += 1) lines.push(TEMPLATES[(f + s) % TEMPLATES.length]!(f * 20 + s));
    files.push(lines.join("\n"));
  }
  return files;
}

// CPU time of this process, not wall time: on a shared machine (CI, several engineers) other
// processes stretch wall time of one side or the other and the ratio swings by ±0.2.
function timeRound(files: string[], work: (sql: string) => unknown): number {
  const start = process.cpuUsage();
  for (const sql of files) work(sql);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

await loadSqlParser();
const files = corpus();
const statements = files.reduce((n, sql) => n + parseSync(sql).stmts!.length, 0);
const rounds = 15;
const raw: number[] = [];
const analysed: number[] = [];
for (let i = 0; i < 5; i += 1) {
  timeRound(files, parseSync);
  timeRound(files, analyseSqlSync);
}
// Interleave rounds so machine noise (and garbage collection of either side's garbage) hits
// both sides alike, and compare totals: a single round swings by ±30 % with where a GC lands.
for (let i = 0; i < rounds; i += 1) {
  raw.push(timeRound(files, parseSync));
  analysed.push(timeRound(files, analyseSqlSync));
}
const rawRate = (statements * rounds) / sum(raw);
const analyserRate = (statements * rounds) / sum(analysed);
const ratio = analyserRate / rawRate;

const table = [
  "| measure | statements per CPU second (15 interleaved rounds) |",
  "| --- | --- |",
  `| raw \`libpg-query\` parseSync | ${Math.round(rawRate).toLocaleString("en-US")} |`,
  `| \`analyseSqlSync\` (parse + all rules + positions) | ${Math.round(analyserRate).toLocaleString("en-US")} |`,
  `| ratio (target ≥ 0.8×) | ${ratio.toFixed(2)}× |`,
].join("\n");
console.log(`${statements} statements in ${files.length} files\n\n${table}`);

if (process.argv.includes("--write")) {
  writeBenchmarkSection("SQL analyser", [
    "`pnpm exec tsx packages/core/bench/analyser.bench.ts --write`",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}:`,
    `a deterministic corpus of ${statements} migration statements in ${files.length} files, 5 warm-up rounds, then 15 interleaved rounds, CPU time of the process.`,
    "",
    table,
  ]);
}
process.exitCode = ratio >= 0.8 ? 0 : 1;
