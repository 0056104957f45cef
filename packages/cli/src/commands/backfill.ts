import { parseArgs } from "node:util";
import { API } from "@rollgate/core/contract/endpoints";
import type { EventData } from "@rollgate/core/contract/events";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import { BATCH_SIZE_DEFAULTS, formatMs } from "@rollgate/core/backfill";
import { applicationDatabaseUrl, readCliEnv, rolloutKeys, type CliEnv } from "../env.ts";
import { explain, is, request } from "../http.ts";
import { UsageError, type Io } from "../io.ts";
import { runBackfill, type BackfillDeps, type BackfillEventType, type BackfillReport } from "../backfill/engine.ts";
import { ROLLOUT_OPTIONS } from "./send.ts";

/**
 * `rollgate backfill --database-url URL --table T --set "billing_email = email" [--where "billing_email IS NULL"]
 *  [--key id] [--batch-size N] [--max-lag 1s] [--batch-target 200ms] [--restart]`
 *
 * Copies data between expand and contract in keyset batches on the key (the primary key unless
 * --key), each batch one short transaction under lock_timeout and statement_timeout, a row
 * already at its target value never written again. The checkpoint lives in the application's
 * database (rollgate.backfill_checkpoints), moved by the same statement as each batch's rows:
 * after a kill -9 it cannot disagree with the data, which a checkpoint in Rollgate's database
 * (another server, reached over HTTP after the commit) could. A second run of the same
 * definition resumes from it; --restart starts over. Before every batch it asks the dashboard's
 * control, the rollout's gate (no-go, SLO; every few seconds) and the replicas' lag, and waits,
 * saying why, while one of them holds it. Rollgate that cannot be reached holds it too.
 */
export async function backfillCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args);
  const url = applicationDatabaseUrl(values["database-url"]);
  if (!url) throw new UsageError("give --database-url (or set ROLLGATE_DATABASE_URL): the application's database.");
  if (!values.table) throw new UsageError("give --table, the table to backfill (e.g. --table invoices).");
  if (!values.set) throw new UsageError('give --set, the assignments (e.g. --set "billing_email = email").');
  const keys = rolloutKeys(values);
  const env = readCliEnv();
  const batchSize = count(values["batch-size"], "--batch-size") ?? BATCH_SIZE_DEFAULTS.initial;
  const minBatchSize =
    count(values["min-batch-size"], "--min-batch-size") ?? Math.min(BATCH_SIZE_DEFAULTS.min, batchSize);
  const maxBatchSize =
    count(values["max-batch-size"], "--max-batch-size") ?? Math.max(BATCH_SIZE_DEFAULTS.max, batchSize);
  if (minBatchSize > maxBatchSize) throw new UsageError("--min-batch-size is larger than --max-batch-size.");
  const progressEveryMs = duration(values["progress-every"], "--progress-every") ?? 5000;

  const output = io.interactive ? new ProgressBar(io) : null;
  const result = await runBackfill(
    {
      databaseUrl: url,
      table: values.table,
      set: values.set,
      where: values.where,
      key: values.key,
      rollout: keys,
      batchSize,
      minBatchSize,
      maxBatchSize,
      batchTargetMs: duration(values["batch-target"], "--batch-target") ?? BATCH_SIZE_DEFAULTS.targetMs,
      maxLagMs: duration(values["max-lag"], "--max-lag") ?? 1000,
      lockTimeoutMs: duration(values["lock-timeout"], "--lock-timeout") ?? 2000,
      statementTimeoutMs: duration(values["statement-timeout"], "--statement-timeout") ?? 30_000,
      retries: count(values.retries, "--retries", 0) ?? 10,
      restart: values.restart ?? false,
      progressEveryMs,
      reportEveryMs: output ? Math.min(1000, progressEveryMs) : progressEveryMs,
    },
    rollgateDeps(env, keys, (report) => (output ? output.show(report) : writeJson(io, report))),
  );
  output?.end();
  if (result.outcome === "refused") {
    io.err(`rollgate backfill: ${result.message}`);
    return result.exitCode;
  }
  io.err(`rollgate backfill: ${result.message}`);
  return result.exitCode;
}

/** The engine's dependencies on Rollgate: the gate, the control, the events (each answer checked against the API's schemas). */
export function rollgateDeps(env: CliEnv, keys: RolloutKey, report: (r: BackfillReport) => void): BackfillDeps {
  return {
    async gate() {
      const answer = await request(env, API.gate, { params: keys });
      if (!is(answer, 200)) throw new Error(`the gate answered ${explain(answer)}`);
      return { state: answer.json.state, checks: answer.json.checks };
    },
    async control(backfillId) {
      const answer = await request(env, API.backfillControl, { params: { ...keys, backfill_id: backfillId } });
      if (!is(answer, 200)) throw new Error(`the backfill's control answered ${explain(answer)}`);
      return answer.json.control;
    },
    async send<T extends BackfillEventType>(type: T, data: EventData<T>) {
      const body = { type, ...keys, occurred_at: new Date().toISOString(), data };
      const answer = await request(env, API.events, {
        body: body as Parameters<typeof request<typeof API.events>>[2]["body"],
      });
      return answer.status === 202 ? { ok: true as const } : { ok: false as const, reason: explain(answer) };
    },
    report,
  };
}

/** Off a terminal: one JSON line per step on stdout; notes as sentences on stderr. */
function writeJson(io: Io, report: BackfillReport) {
  if (report.kind === "note") return io.err(`rollgate backfill: ${report.message}`);
  const { kind, ...rest } = report;
  io.out(JSON.stringify({ event: `backfill.${kind}`, at: new Date().toISOString(), ...rest }));
}

/** On a terminal: one line redrawn in place (rows done of the estimate, rate, ETA, throttle); other news on lines of their own. */
export class ProgressBar {
  private drawn = false;
  private last: Extract<BackfillReport, { kind: "progress" }> | null = null;
  private throttle: string | null = null;
  constructor(
    private readonly io: Io,
    /** Where the redrawn line goes (the terminal's stderr; tests pass their own). */
    private readonly write: (text: string) => void = (text) => void process.stderr.write(text),
  ) {}

  show(report: BackfillReport) {
    switch (report.kind) {
      case "progress":
        this.last = report;
        this.throttle = report.throttle;
        return this.draw();
      case "paused":
        this.throttle = report.reason;
        this.line(`paused: ${report.reason}`);
        return this.draw();
      case "resumed":
        this.throttle = null;
        this.line(`resumed after ${formatMs(report.after_ms)}`);
        return this.draw();
      case "retry":
        return this.line(`batch retry ${report.attempt} in ${formatMs(report.wait_ms)} — ${report.message}`);
      case "note":
        return this.line(report.message);
      case "finished":
      case "failed":
        return this.end();
    }
  }

  private line(text: string) {
    this.clear();
    this.io.err(`rollgate backfill: ${text}`);
  }

  private clear() {
    if (this.drawn) this.write("\r\x1b[2K");
    this.drawn = false;
  }

  private draw() {
    const p = this.last;
    if (!p) return;
    const share = p.estimate_rows > 0 ? Math.min(1, p.rows_done / p.estimate_rows) : 0;
    const width = 24;
    const filled = Math.round(share * width);
    const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
    const eta = p.eta_s === null ? "ETA ?" : `ETA ${formatMs(p.eta_s * 1000)}`;
    const lag = p.replica_lag_ms === null ? "" : ` · lag ${formatMs(p.replica_lag_ms)}`;
    const held = this.throttle ? ` · waiting: ${this.throttle}` : "";
    this.clear();
    this.write(
      `${bar} ${(share * 100).toFixed(0)}% ${p.rows_done.toLocaleString("en")}/${p.estimate_rows.toLocaleString("en")} rows · ${Math.round(p.rate_per_s).toLocaleString("en")}/s · ${eta} · batch ${p.batch_size}${lag}${held}`,
    );
    this.drawn = true;
  }

  end() {
    if (this.drawn) this.write("\n");
    this.drawn = false;
  }
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        ...ROLLOUT_OPTIONS,
        "database-url": { type: "string" },
        table: { type: "string" },
        set: { type: "string" },
        where: { type: "string" },
        key: { type: "string" },
        "batch-size": { type: "string" },
        "min-batch-size": { type: "string" },
        "max-batch-size": { type: "string" },
        "batch-target": { type: "string" },
        "max-lag": { type: "string" },
        "lock-timeout": { type: "string" },
        "statement-timeout": { type: "string" },
        retries: { type: "string" },
        restart: { type: "boolean" },
        "progress-every": { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `3s`, `500ms`, `2m` or plain milliseconds. */
function duration(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (!m) throw new UsageError(`${flag} takes a duration such as 1s, 200ms or 2m.`);
  return Math.round(Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? "ms"] ?? 1));
}

function count(value: string | undefined, flag: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} takes a whole number of at least ${min}.`);
  return n;
}
