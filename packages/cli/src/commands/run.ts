import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { analyseSql } from "@rollgate/core/sql";
import { leaseHolder, readCliEnv, rolloutKeys } from "../env.ts";
import { call, explain, rolloutPath } from "../http.ts";
import { UsageError, type Io } from "../io.ts";
import { formatText } from "../lint/format-text.ts";
import { ROLLOUT_OPTIONS } from "./send.ts";

const TAIL_LINES = 40;

/**
 * `rollgate run --phase expand|contract --file migration.sql [--lease ID] -- COMMAND…`
 * Lints an expand script first; for a contract, takes the lease unless given one. Reports
 * started, then succeeded or failed with duration, exit code and the last lines of output,
 * and exits with the command's own code.
 */
export async function runCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args);
  const phase = values.phase;
  if (phase !== "expand" && phase !== "contract") throw new UsageError("--phase must be expand or contract.");
  if (!values.file) throw new UsageError("--file names the migration script this command applies.");
  if (positionals.length === 0) throw new UsageError("give the migration command after --, e.g. rollgate run --phase expand --file m.sql -- psql -f m.sql");
  const keys = rolloutKeys(values);
  const env = readCliEnv();
  const sql = await readFile(values.file, "utf8").catch(() => {
    throw new UsageError(`cannot read ${values.file}.`);
  });

  if (phase === "expand") {
    const analysis = await analyseSql(sql, { phase });
    if (analysis.summary.errors > 0) {
      io.err(formatText([{ path: values.file, source: sql, findings: analysis.findings }], phase));
      io.err("rollgate run: the expand script is not additive; nothing was run.");
      return 1;
    }
  }
  let leaseId = values.lease;
  if (phase === "contract" && !leaseId) {
    const lease = await call(env, "POST", `${rolloutPath(keys)}/gate/lease`, { event: {}, headers: { "x-rollgate-holder": leaseHolder(`rollgate run ${values.file}`) } });
    if (lease.status !== 201) {
      io.err(`rollgate run: no contract lease — ${explain(lease)}`);
      return 3;
    }
    leaseId = lease.json.lease_id as string;
  }

  const name = values.name ?? path.basename(values.file);
  const migration = { phase, name, checksum: createHash("sha256").update(sql).digest("hex"), sql, ...(leaseId ? { lease_id: leaseId } : {}) };
  const send = (type: string, extra: Record<string, unknown> = {}) => call(env, "POST", "/api/v1/events", { event: { type, ...keys, occurred_at: new Date().toISOString(), data: { ...migration, ...extra } } });

  const started = await send("migration.started");
  if (started.status !== 202) {
    io.err(`rollgate run: Rollgate refused the ${phase} — ${explain(started)}; nothing was run.`);
    return 1;
  }
  const startedAt = Date.now();
  const { code, tail } = await execute(positionals, io);
  const durationMs = Date.now() - startedAt;
  const outcome = code === 0 ? "migration.succeeded" : "migration.failed";
  const { sql: _sql, ...withoutSql } = migration;
  const reported = await call(env, "POST", "/api/v1/events", { event: { type: outcome, ...keys, occurred_at: new Date().toISOString(), data: { ...withoutSql, duration_ms: durationMs, exit_code: code, log_tail: tail.join("\n").slice(-20_000) } } });
  if (reported.status !== 202) io.err(`rollgate run: the ${outcome} report was refused — ${explain(reported)}`);
  io.err(`rollgate run: ${phase} ${code === 0 ? "succeeded" : `failed with exit code ${code}`} in ${(durationMs / 1000).toFixed(1)} s.`);
  return code;
}

/** Runs the command with its output passed through, keeping the last lines. */
function execute(argv: string[], io: Io): Promise<{ code: number; tail: string[] }> {
  return new Promise((resolve) => {
    const tail: string[] = [];
    const keep = (chunk: Buffer, write: (t: string) => void) => {
      const text = chunk.toString("utf8");
      write(text);
      tail.push(...text.split("\n").filter(Boolean));
      tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
    };
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["inherit", "pipe", "pipe"] });
    child.stdout.on("data", (c: Buffer) => keep(c, io.out));
    child.stderr.on("data", (c: Buffer) => keep(c, io.err));
    child.on("error", (error) => {
      tail.push(`rollgate run: cannot start ${argv[0]}: ${error.message}`);
      io.err(tail.at(-1)!);
      resolve({ code: 127, tail });
    });
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), tail }));
  });
}

function parse(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, options: { ...ROLLOUT_OPTIONS, phase: { type: "string" }, file: { type: "string" }, lease: { type: "string" }, name: { type: "string" } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
