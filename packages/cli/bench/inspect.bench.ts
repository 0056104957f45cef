// `rollgate inspect` at scale: 5,000 tables and 10,000 distinct statements in pg_stat_statements.
// Run: pnpm exec tsx packages/cli/bench/inspect.bench.ts [--write]
// Uses STATS_DATABASE_URL, else a server on 127.0.0.1:5440 that preloads pg_stat_statements,
// else a private cluster it starts on 5441 (as the postgres user when run as root).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import postgres from "postgres";
import { collectInspection } from "@rollgate/core/inspect/collect";
import { PostgresCluster } from "@rollgate/db/testing/postgres-cluster";
import { writeBenchmarkSection } from "../../../scripts/benchmark-doc.ts";
import { STATS_SETTINGS } from "../../../scripts/stats-cluster.ts";
import { connect } from "../src/database/connect.ts";

const TABLES = 5000;
const BODY_LIMIT = 256 * 1024;

function preloads(port: number): boolean {
  try {
    return (
      execFileSync(
        "psql",
        ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-Atc", "show pg_stat_statements.max"],
        { stdio: ["ignore", "pipe", "ignore"] },
      )
        .toString()
        .trim() >= "10000"
    );
  } catch {
    return false;
  }
}

let cluster: PostgresCluster | undefined;
let adminUrl = process.env.STATS_DATABASE_URL;
if (!adminUrl && preloads(5440)) adminUrl = "postgres://postgres@127.0.0.1:5440/postgres";
if (!adminUrl) {
  cluster = new PostgresCluster(5441, STATS_SETTINGS).init();
  cluster.start();
  adminUrl = cluster.url;
}
const name = `insp_bench_${randomBytes(4).toString("hex")}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
await admin.unsafe(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const app = postgres(url.toString(), { max: 4, onnotice: () => undefined, prepare: false });
try {
  await app.unsafe("create extension if not exists pg_stat_statements");
  console.log(`creating ${TABLES} tables…`);
  // In batches: one transaction creating 5,000 tables runs out of lock slots.
  for (let from = 0; from < TABLES; from += 500)
    await app.unsafe(
      `do $$ begin for i in ${from}..${Math.min(TABLES, from + 500) - 1} loop execute format('create table t_%s (id int primary key, name text, email text, created_at timestamptz)', i); end loop; end $$`,
    );
  console.log("running 10,000 distinct statements…");
  await app.unsafe("select pg_stat_statements_reset()");
  for (let i = 0; i < TABLES; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async (_, k) => {
        await app.unsafe(`select id, name from t_${i + k} where id = $1`, [1]);
        await app.unsafe(`update t_${i + k} set name = $1 where id = $2`, ["x", 1]);
      }),
    );
  }
  const contract = { sql: "alter table t_42 drop column email;", checksum: "c".repeat(64) };
  const expand = { sql: "alter table t_7 add column nickname text;", checksum: "e".repeat(64) };
  const runs: Array<{ ms: number; bytes: number; statements: number; tables: number; workload: number }> = [];
  for (let round = 0; round < 3; round += 1) {
    const started = performance.now();
    const c = connect(url.toString(), "rollgate inspect bench");
    const summary = await collectInspection(c.query, { contract, expand, statementTimeoutMs: 30_000 });
    await c.close();
    const ms = performance.now() - started;
    const body = JSON.stringify({
      type: "database.inspected",
      service: "billing-api",
      environment: "production",
      release: "r1",
      occurred_at: new Date().toISOString(),
      data: summary,
    });
    runs.push({
      ms,
      bytes: Buffer.byteLength(body),
      statements: summary.statistics.statements,
      tables: Object.keys(summary.usage).length,
      workload: summary.workload?.length ?? 0,
    });
    console.log(
      `round ${round + 1}: ${ms.toFixed(0)} ms, ${summary.statistics.statements} statements, ${Object.keys(summary.usage).length} tables in usage, usage complete: ${summary.usage_complete}, ${summary.workload?.length ?? 0} workload statements (complete: ${summary.workload_complete}), body ${(Buffer.byteLength(body) / 1024).toFixed(1)} KiB`,
    );
  }
  const median = [...runs].sort((a, b) => a.ms - b.ms)[1]!;
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(", ");
  const ok = median.ms <= 10_000 && median.bytes < BODY_LIMIT;
  console.log(
    `median ${median.ms.toFixed(0)} ms, body ${(median.bytes / 1024).toFixed(1)} KiB, load ${load}: ${ok ? "within targets" : "MISSED"}`,
  );
  if (process.argv.includes("--write")) {
    writeBenchmarkSection("rollgate inspect", [
      "`pnpm exec tsx packages/cli/bench/inspect.bench.ts --write`",
      "",
      `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores, Node ${process.version}, PostgreSQL 15 on the same machine (pg_stat_statements.max = 20000, track = all); load average ${load} while it ran.`,
      `${TABLES} tables, ${median.statements} distinct statements in pg_stat_statements for the database (a SELECT and an UPDATE per table), a contract dropping one column and an expand adding one; one connection, one read-only transaction; 3 rounds, median.`,
      "",
      "| measure | result | target |",
      "| --- | --- | --- |",
      `| wall time of one inspection (connect, catalog, statements parsed and resolved, activity) | ${(median.ms / 1000).toFixed(2)} s | ≤ 10 s |`,
      `| \`database.inspected\` body | ${(median.bytes / 1024).toFixed(1)} KiB (usage for ${median.tables} tables, the ${median.workload} most-called statements in the workload) | < 256 KiB |`,
    ]);
  }
  if (!ok) process.exitCode = 1;
} finally {
  await app.end();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
  cluster?.destroy();
}
