import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { API } from "@rollgate/core/contract/endpoints";
import type { MigrationPhase } from "@rollgate/core/types";
import { analyseSql } from "@rollgate/core/sql";
import { leaseHolder, readCliEnv, rolloutKeys } from "../env.ts";
import { explain, is, request, requestLease } from "../http.ts";
import { UsageError, type Io } from "../io.ts";
import { formatText } from "../lint/format-text.ts";
import { ROLLOUT_OPTIONS } from "./send.ts";
import { DATABASE_POLICY_DEFAULTS } from "@rollgate/core/policy";
import { splitScript, TransactionControlRefused, type StatementResult } from "../database/executor.ts";
import { runScript, type RunSettings } from "../database/run-script.ts";
import type { CliEnv } from "../env.ts";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";

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
  const url = values["database-url"];
  if (positionals.length === 0 && !url)
    throw new UsageError(
      "give --database-url URL (Rollgate runs the script itself) or the migration command after --, e.g. rollgate run --phase expand --file m.sql -- psql -f m.sql",
    );
  if (positionals.length > 0 && url)
    throw new UsageError("give either --database-url or a command after --, not both.");
  const keys = rolloutKeys(values);
  const env = readCliEnv();
  const sql = await readFile(values.file, "utf8").catch(() => {
    throw new UsageError(`cannot read ${values.file}.`);
  });
  if (url) {
    // Before the lease, the events and the database: the executor runs this script's meaning or nothing.
    const refused = await splitScript(sql).then(
      () => null,
      (error: unknown) => (error instanceof TransactionControlRefused ? error : null),
    );
    if (refused) {
      io.err(
        `rollgate run: ${values.file} ${refused.message}\nThe executor cannot run this script with the meaning it has under psql; nothing was run (no lease taken, no event sent, the database untouched). Remove the transaction control (or keep only one plain BEGIN first and COMMIT last), or run it with your own tool after --.`,
      );
      return 2;
    }
  }

  if (phase === "expand") {
    const analysis = await analyseSql(sql, { phase });
    if (analysis.summary.errors > 0) {
      io.err(formatText([{ path: values.file, source: sql, phase, findings: analysis.findings }], phase));
      io.err("rollgate run: the expand script is not additive; nothing was run.");
      return 1;
    }
  }
  let leaseId = values.lease;
  if (phase === "contract" && !leaseId) {
    const lease = await requestLease(env, keys, leaseHolder(`rollgate run ${values.file}`));
    if (!is(lease, 201)) {
      io.err(`rollgate run: no contract lease — ${explain(lease)}`);
      return 3;
    }
    leaseId = lease.json.lease_id;
  }

  const name = values.name ?? path.basename(values.file);
  const migration = {
    phase: phase as MigrationPhase,
    name,
    checksum: createHash("sha256").update(sql).digest("hex"),
    sql,
    ...(leaseId ? { lease_id: leaseId } : {}),
  };
  const send = (type: "migration.started", extra: Record<string, unknown> = {}) =>
    request(env, API.events, {
      body: { type, ...keys, occurred_at: new Date().toISOString(), data: { ...migration, ...extra } },
    });

  const started = await send("migration.started");
  if (started.status !== 202) {
    io.err(`rollgate run: Rollgate refused the ${phase} — ${explain(started)}; nothing was run.`);
    return 1;
  }
  const startedAt = Date.now();
  let statements: StatementResult[] | undefined;
  let ran: { code: number; tail: string[] };
  if (url) {
    const result = await runScript(io, { url, sql, phase, settings: await runSettings(values, env, keys) });
    statements = result.statements;
    ran = { code: result.ok ? 0 : 1, tail: result.tail };
  } else ran = await execute(positionals, io);
  const { code, tail } = ran;
  const durationMs = Date.now() - startedAt;
  const outcome = code === 0 ? "migration.succeeded" : "migration.failed";
  const { sql: _sql, ...withoutSql } = migration;
  const reported = await request(env, API.events, {
    body: {
      type: outcome,
      ...keys,
      occurred_at: new Date().toISOString(),
      data: {
        ...withoutSql,
        duration_ms: durationMs,
        exit_code: code,
        log_tail: tail.join("\n").slice(-20_000),
        ...(statements ? { statements: statements.slice(0, 2000) } : {}),
      },
    },
  });
  if (reported.status !== 202) io.err(`rollgate run: the ${outcome} report was refused — ${explain(reported)}`);
  io.err(
    `rollgate run: ${phase} ${code === 0 ? "succeeded" : `failed with exit code ${code}`} in ${(durationMs / 1000).toFixed(1)} s.`,
  );
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
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...ROLLOUT_OPTIONS,
        phase: { type: "string" },
        file: { type: "string" },
        lease: { type: "string" },
        name: { type: "string" },
        "database-url": { type: "string" },
        "lock-timeout": { type: "string" },
        "statement-timeout": { type: "string" },
        retries: { type: "string" },
        blockers: { type: "string" },
        "blocker-wait": { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * The executor's settings: flags first, then the environment's policy as the gate reports it
 * (`executor`), then the policy defaults (lock_timeout 3 s, 10 retries, wait up to 5 min for blockers).
 */
async function runSettings(
  values: Record<string, string | boolean | undefined>,
  env: CliEnv,
  keys: RolloutKey,
): Promise<RunSettings> {
  let policy: Partial<RunSettings> = {};
  const gate = await request(env, API.gate, { params: keys }).catch(() => null);
  const e = gate && is(gate, 200) ? gate.json.executor : null;
  if (e)
    policy = {
      lockTimeoutMs: e.lock_timeout_ms,
      statementTimeoutMs: e.statement_timeout_ms,
      retries: e.lock_retries,
      blockers: e.blockers,
      blockerWaitSeconds: e.blocker_wait_seconds,
    };
  const d = DATABASE_POLICY_DEFAULTS;
  const blockers = (values.blockers as string | undefined) ?? policy.blockers ?? d.blockers;
  if (blockers !== "wait" && blockers !== "stop") throw new UsageError("--blockers must be wait or stop.");
  return {
    lockTimeoutMs: duration(values["lock-timeout"], "--lock-timeout") ?? policy.lockTimeoutMs ?? d.lockTimeoutMs,
    statementTimeoutMs:
      duration(values["statement-timeout"], "--statement-timeout") ?? policy.statementTimeoutMs ?? d.statementTimeoutMs,
    retries: values.retries !== undefined ? Number(values.retries) : (policy.retries ?? d.lockRetries),
    blockers,
    blockerWaitSeconds:
      values["blocker-wait"] !== undefined
        ? (duration(values["blocker-wait"], "--blocker-wait") ?? 0) / 1000
        : (policy.blockerWaitSeconds ?? d.blockerWaitSeconds),
  };
}

/** `3s`, `500ms`, `2m` or plain milliseconds. */
function duration(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(value));
  if (!m) throw new UsageError(`${flag} takes a duration such as 3s, 500ms or 2m.`);
  return Math.round(Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? "ms"] ?? 1));
}
