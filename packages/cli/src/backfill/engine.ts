import { randomUUID } from "node:crypto";
import {
  batchSql,
  BATCH_SIZE_DEFAULTS,
  CHECKPOINT_DDL,
  CHECKPOINT_TABLE,
  checkName,
  checkSql,
  clampBatchSize,
  decideThrottle,
  estimateSql,
  qualifiedTable,
  keepSamples,
  loadBackfillParser,
  nextBatchSize,
  parseDefinitionSync,
  parseLsn,
  pauseIsNew,
  planBackfill,
  refusalSentence,
  replicaLag,
  runIdentity,
  contractStarted,
  type BackfillPlan,
  type BackfillRefusal,
  type Control,
  type GateReading,
  type PauseCause,
  type StandbyReading,
  type TableFacts,
  type ThrottleDecision,
  type WalSample,
} from "@rollgate/core/backfill";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import type { EventData } from "@rollgate/core/contract/events";
import type { Query } from "@rollgate/core/inspect/collect";
import { connect, type Connection } from "../database/connect.ts";
import { backoffMs } from "../database/executor.ts";

// The backfill engine behind `rollgate backfill`, callable as a function (benchmarks and tests
// drive it with their own dependencies). Keyset batches on the key, each one statement in its
// own short transaction under lock_timeout and statement_timeout; the statement also moves the
// checkpoint row in the application's database, so after a kill -9 the checkpoint and the data
// agree. Before every batch: the dashboard's control, the rollout's gate (every few seconds) and
// the replica lag decide whether it runs, waits (said once per pause) or stops.

export interface BackfillOptions {
  databaseUrl: string;
  table: string;
  set: string;
  where?: string | undefined;
  key?: string | undefined;
  rollout: RolloutKey;
  /** The first batch's size (default 1000); later ones adapt toward `batchTargetMs`. */
  batchSize?: number;
  minBatchSize?: number;
  maxBatchSize?: number;
  batchTargetMs?: number;
  /** Replica lag above which the backfill waits (default 1 s). */
  maxLagMs?: number;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Retries of one batch after lock timeouts, serialization failures and deadlocks (default 10). */
  retries?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Start over instead of resuming the checkpoint. */
  restart?: boolean;
  /** How often progress is sent to Rollgate (default 5 s). */
  progressEveryMs?: number;
  /** How often progress is reported to the command's output (default: as often as it is sent). */
  reportEveryMs?: number;
  /** How often Rollgate's gate is asked (default 5 s). */
  gateEveryMs?: number;
  /** How long to wait for another session's hold on this backfill (a run just killed) before refusing (default 10 s). */
  lockWaitMs?: number;
  /** How often a paused backfill looks again (default 1 s). */
  pollMs?: number;
}

export type BackfillEventType =
  "backfill.started" | "backfill.progress" | "backfill.paused" | "backfill.finished" | "backfill.failed";

export interface BackfillDeps {
  /** The rollout's state and checks, as Rollgate's gate answers; throws when Rollgate cannot be asked. */
  gate(): Promise<GateReading>;
  /** The dashboard's control for this backfill; throws when Rollgate cannot be asked. */
  control(backfillId: string): Promise<Control>;
  /** Sends one event on the rollout; a refusal is returned as a sentence, an unreachable Rollgate thrown. */
  send<T extends BackfillEventType>(type: T, data: EventData<T>): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** What the command shows (a progress bar, JSON lines); notes are sentences. */
  report(report: BackfillReport): void;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** A database connection (tests count statements); default `connect(url)`. */
  connect?: (url: string) => Connection;
}

export type ProgressData = {
  backfill_id: string;
  rows_done: number;
  rows_written: number;
  estimate_rows: number;
  rate_per_s: number;
  eta_s: number | null;
  batch_size: number;
  replica_lag_ms: number | null;
  throttle: string | null;
};

export type BackfillReport =
  | { kind: "note"; message: string }
  | ({ kind: "progress" } & ProgressData)
  | {
      kind: "paused";
      backfill_id: string;
      rows_done: number;
      cause: PauseCause;
      reason: string;
      replica_lag_ms?: number;
    }
  | { kind: "resumed"; backfill_id: string; rows_done: number; after_ms: number }
  | { kind: "retry"; backfill_id: string; code: string; attempt: number; wait_ms: number; message: string }
  | { kind: "finished"; backfill_id: string; rows_done: number; rows_written: number; duration_ms: number }
  | { kind: "failed"; backfill_id: string; rows_done: number; error: string; cancelled: boolean };

export type BackfillResult =
  | { outcome: "refused"; exitCode: 2; message: string; refusal: BackfillRefusal | null }
  | {
      outcome: "finished" | "failed" | "cancelled";
      exitCode: 0 | 1;
      backfillId: string;
      rowsDone: number;
      rowsWritten: number;
      batches: number;
      resumed: boolean;
      message: string;
    };

const RETRYABLE: Record<string, string> = {
  "55P03": "lock timeout",
  "40001": "serialization failure",
  "40P01": "deadlock",
  "57014": "statement timeout",
};

interface PgError extends Error {
  code?: string;
}

interface Checkpoint {
  backfill_id: string;
  last_key: string[] | null;
  rows_done: number;
  rows_written: number;
  finished: boolean;
}

/** Runs one backfill to its end, its refusal or its failure; never throws for a database error. */
export async function runBackfill(options: BackfillOptions, deps: BackfillDeps): Promise<BackfillResult> {
  const clock = deps.clock ?? (() => performance.now());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const refused = (refusal: BackfillRefusal | null, message?: string): BackfillResult => ({
    outcome: "refused",
    exitCode: 2,
    refusal,
    message: message ?? refusalSentence(refusal!),
  });

  await loadBackfillParser();
  const definition = parseDefinitionSync(options);
  if (!definition.ok) return refused(definition.refusal);

  const db = (deps.connect ?? ((url: string) => connect(url, "rollgate backfill")))(options.databaseUrl);
  try {
    // Validation: reads only.
    const facts = await tableFacts(db.query, definition.value.table);
    const planned = planBackfill(definition.value, facts);
    if (!planned.ok) return refused(planned.refusal);
    const plan = planned.plan;
    try {
      await db.query(`explain ${batchSql(plan, { after: false, checkpoint: false })}`, [1]);
    } catch (error) {
      return refused({ kind: "rejected_by_database", message: (error as Error).message });
    }
    let gate: GateReading;
    try {
      gate = await deps.gate();
    } catch (error) {
      return refused(
        null,
        `Rollgate cannot be reached to read the rollout's state: ${(error as Error).message}. Nothing was written.`,
      );
    }
    if (contractStarted(gate.state)) return refused({ kind: "contract_started", state: gate.state });

    const runId = runIdentity(plan, options.rollout);
    // One run of a backfill at a time. A session of a run just killed holds the lock until the
    // server ends it (after its statement), so a little patience first.
    const lockWaitMs = options.lockWaitMs ?? 10_000;
    const waitedFrom = clock();
    for (let said = false; ; said = true) {
      const [lock] = await db.query<{ locked: boolean }>(
        "select pg_try_advisory_lock(hashtextextended($1, 0)) as locked",
        [runId],
      );
      if (lock?.locked) break;
      if (clock() - waitedFrom >= lockWaitMs)
        return refused(
          null,
          `another run of this backfill (the same table, --set, --where, key and rollout) is running on this database; wait for it or stop it. Nothing was written.`,
        );
      if (!said)
        deps.report({
          kind: "note",
          message: `another session holds this backfill's lock (a run still going, or one just killed whose session the server has not ended yet); waiting up to ${Math.round(lockWaitMs / 1000)} s.`,
        });
      await sleep(250);
    }

    return await new Run(options, deps, db, plan, runId, gate, clock, sleep).run();
  } catch (error) {
    // The database cannot be reached, or refused a read or the checkpoint's table: a sentence, not a stack.
    return {
      outcome: "failed",
      exitCode: 1,
      backfillId: "",
      rowsDone: 0,
      rowsWritten: 0,
      batches: 0,
      resumed: false,
      message: `failed: ${(error as Error).message}`,
    };
  } finally {
    await db.close().catch(() => undefined);
  }
}

class Run {
  private readonly random: () => number;
  private backfillId = "";
  private rowsDone = 0;
  private rowsWritten = 0;
  private lastKey: string[] | null = null;
  private batchSize: number;
  private readonly bounds: { min: number; max: number };
  private samples: WalSample[] = [];
  private lagMs: number | null = null;
  private lagSaid: "none" | "unreadable" | null = null;
  private gateAt = -Infinity;
  private gateError: string | null = null;
  private pausedCause: PauseCause | null = null;
  private pausedAt = 0;
  private throttle: string | null = null;
  private batches = 0;
  private estimate = 0;
  private startedAt = 0;
  private rowsAtStart = 0;
  private activeMs = 0;
  private progressAt = 0;
  private sentAt = 0;

  constructor(
    private readonly options: BackfillOptions,
    private readonly deps: BackfillDeps,
    private readonly db: Connection,
    private readonly plan: BackfillPlan,
    private readonly runId: string,
    private gate: GateReading,
    private readonly clock: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.random = deps.random ?? Math.random;
    this.bounds = {
      min: options.minBatchSize ?? BATCH_SIZE_DEFAULTS.min,
      max: options.maxBatchSize ?? BATCH_SIZE_DEFAULTS.max,
    };
    this.batchSize = clampBatchSize(options.batchSize ?? BATCH_SIZE_DEFAULTS.initial, this.bounds);
  }

  private note(message: string) {
    this.deps.report({ kind: "note", message });
  }

  private sentStarted = false;

  async run(): Promise<BackfillResult> {
    try {
      return await this.steps();
    } catch (error) {
      // After backfill.started, Rollgate hears how it ended; the checkpoint stands as the data does.
      const message = (error as Error).message;
      if (this.sentStarted) return this.fail("failed", message, false, this.rowsAtStart > 0);
      throw error;
    }
  }

  private async steps(): Promise<BackfillResult> {
    const q = this.db.query;
    const existing = await this.readCheckpoint();
    let resumed = false;
    if (existing && !existing.finished && !this.options.restart) {
      this.backfillId = existing.backfill_id;
      this.lastKey = existing.last_key;
      this.rowsDone = existing.rows_done;
      this.rowsWritten = existing.rows_written;
      resumed = true;
      this.note(
        `resuming backfill ${this.backfillId} from its checkpoint in ${CHECKPOINT_TABLE}: ${this.rowsDone} row(s) done, after key (${(this.lastKey ?? []).join(", ")}).`,
      );
    } else {
      this.backfillId = randomUUID();
      if (existing?.finished && !this.options.restart)
        this.note(`this backfill finished before; a new pass (${this.backfillId}) starts from the first key.`);
      else if (existing && this.options.restart)
        this.note(
          `--restart: the checkpoint of ${existing.backfill_id} is set aside; ${this.backfillId} starts from the first key.`,
        );
    }
    this.rowsAtStart = this.rowsDone;
    this.estimate = await this.estimateRows();

    const started = await this.send("backfill.started", {
      backfill_id: this.backfillId,
      table: this.plan.display,
      set: this.plan.targets.map((t) => `${t.column} = ${t.expression}`).join(", "),
      ...(this.plan.where ? { where: this.plan.where } : {}),
      key: this.plan.key.map((k) => k.column),
      batch_size: this.batchSize,
      estimate_rows: this.estimate,
      rows_done: this.rowsDone,
      check: { name: checkName(this.plan), sql: checkSql(this.plan) },
    });
    this.sentStarted = started.ok;
    if (!started.ok)
      return this.result(
        "failed",
        `Rollgate refused backfill.started — ${started.reason}; nothing was written.${resumed ? ` This run resumed backfill ${this.backfillId}; --restart starts a new one.` : ""}`,
        resumed,
      );

    // The checkpoint row exists before the first batch moves it.
    const created = await q<{ exists: boolean }>("select to_regclass($1) is not null as exists", [CHECKPOINT_TABLE]);
    if (!created[0]?.exists) {
      for (const ddl of CHECKPOINT_DDL) await q(ddl);
      this.note(
        `created ${CHECKPOINT_TABLE} in the application's database: the checkpoint moves in the same transaction as each batch, so a killed run resumes exactly where its data stands.`,
      );
    }
    if (!resumed)
      await q(
        `insert into ${CHECKPOINT_TABLE} (run_id, backfill_id, definition, last_key, rows_done, rows_written, started_at, updated_at, finished_at)
         values ($1, $2, $3::jsonb, null, 0, 0, now(), now(), null)
         on conflict (run_id) do update set backfill_id = excluded.backfill_id, definition = excluded.definition, last_key = null,
           rows_done = 0, rows_written = 0, started_at = now(), updated_at = now(), finished_at = null`,
        [this.runId, this.backfillId, this.definition()],
      );

    this.startedAt = this.clock();
    this.progressAt = this.startedAt;
    this.sentAt = this.startedAt;
    for (;;) {
      const decision = await this.mayRun();
      if (decision.kind === "stop") {
        const outcome = decision.cancelled ? "cancelled" : "failed";
        return this.fail(outcome, decision.reason, decision.cancelled, resumed);
      }
      if (decision.kind === "pause") {
        // Progress goes on being shown while it waits (the throttle's reason, the lag as it moves),
        // but not sent: to Rollgate a progress event means the backfill runs again.
        await this.maybeProgress(false, false);
        await this.sleep(this.options.pollMs ?? 1000);
        continue;
      }
      const batch = await this.batch();
      if (!batch.ok) return this.fail("failed", batch.error, false, resumed);
      if (batch.done) break;
      await this.maybeProgress(false);
    }
    await q(`update ${CHECKPOINT_TABLE} set finished_at = now(), updated_at = now() where run_id = $1`, [this.runId]);
    await this.maybeProgress(true);
    const durationMs = Math.round(this.clock() - this.startedAt);
    const data = {
      backfill_id: this.backfillId,
      rows_done: this.rowsDone,
      rows_written: this.rowsWritten,
      duration_ms: durationMs,
    };
    this.deps.report({ kind: "finished", ...data });
    await this.send("backfill.finished", data);
    return this.result(
      "finished",
      `finished: ${this.rowsDone} row(s) matched, ${this.rowsWritten} written, in ${(durationMs / 1000).toFixed(1)} s.`,
      resumed,
    );
  }

  private definition() {
    return {
      table: this.plan.display,
      set: this.plan.targets,
      where: this.plan.where,
      key: this.plan.key.map((k) => k.column),
      rollout: this.options.rollout,
    };
  }

  private result(outcome: "finished" | "failed" | "cancelled", message: string, resumed: boolean): BackfillResult {
    return {
      outcome,
      exitCode: outcome === "finished" ? 0 : 1,
      backfillId: this.backfillId,
      rowsDone: this.rowsDone,
      rowsWritten: this.rowsWritten,
      batches: this.batches,
      resumed,
      message,
    };
  }

  private async fail(
    outcome: "failed" | "cancelled",
    error: string,
    cancelled: boolean,
    resumed: boolean,
  ): Promise<BackfillResult> {
    const data = { backfill_id: this.backfillId, rows_done: this.rowsDone, error, cancelled };
    this.deps.report({ kind: "failed", ...data });
    if (cancelled) {
      // Cancelled is final for this backfill on Rollgate; the checkpoint keeps its key and counts,
      // and a later run of the same definition goes on from there as a new backfill.
      const next = randomUUID();
      await this.db
        .query(`update ${CHECKPOINT_TABLE} set backfill_id = $2, updated_at = now() where run_id = $1`, [
          this.runId,
          next,
        ])
        .then(
          () =>
            this.note(
              `the checkpoint is kept: a later run of the same backfill goes on after key (${(this.lastKey ?? []).join(", ")}) as a new backfill (${next}); --restart starts over.`,
            ),
          () => undefined,
        );
    }
    await this.send("backfill.failed", data);
    return this.result(outcome, `${cancelled ? "cancelled" : "failed"}: ${error}`, resumed);
  }

  /** Sends an event; an unreachable Rollgate is said, and only backfill.started depends on it. */
  private async send<T extends BackfillEventType>(type: T, data: EventData<T>) {
    try {
      const answer = await this.deps.send(type, data);
      if (!answer.ok && type !== "backfill.started") this.note(`Rollgate refused ${type}: ${answer.reason}`);
      return answer;
    } catch (error) {
      const reason = `Rollgate cannot be reached: ${(error as Error).message}`;
      if (type !== "backfill.started") this.note(`${type} not sent — ${reason}`);
      return { ok: false as const, reason };
    }
  }

  private async readCheckpoint(): Promise<Checkpoint | null> {
    const q = this.db.query;
    const [table] = await q<{ exists: boolean }>("select to_regclass($1) is not null as exists", [CHECKPOINT_TABLE]);
    if (!table?.exists) return null;
    const [row] = await q<{
      backfill_id: string;
      last_key: string[] | null;
      rows_done: number;
      rows_written: number;
      finished: boolean;
    }>(
      `select backfill_id::text, last_key, rows_done::float8 as rows_done, rows_written::float8 as rows_written, finished_at is not null as finished
         from ${CHECKPOINT_TABLE} where run_id = $1`,
      [this.runId],
    );
    return row ?? null;
  }

  /**
   * Rows done plus the rows the predicate matches after the checkpoint: the planner's estimate,
   * or a count (under a short statement timeout) for a table never analysed, whose estimate means little.
   */
  private async estimateRows(): Promise<number> {
    const q = this.db.query;
    const after = this.lastKey !== null;
    const params = this.lastKey ?? [];
    const [stats] = await q<{ reltuples: number }>(
      "select reltuples::float8 as reltuples from pg_class where oid = to_regclass($1)",
      [qualifiedTable(this.plan)],
    );
    if ((stats?.reltuples ?? -1) < 0) {
      try {
        await q("begin read only");
        await q("set local statement_timeout = 10000");
        const [row] = await q<{ rows: number }>(estimateSql(this.plan, { after, explain: false }), params);
        await q("commit");
        return this.rowsDone + (row?.rows ?? 0);
      } catch {
        await q("rollback").catch(() => undefined);
      }
    }
    const [row] = await q<{ "QUERY PLAN": Array<{ Plan: { "Plan Rows": number } }> }>(
      estimateSql(this.plan, { after, explain: true }),
      params,
    );
    return this.rowsDone + Math.max(0, Math.round(row?.["QUERY PLAN"]?.[0]?.Plan["Plan Rows"] ?? 0));
  }

  /** The control, the gate and the lag: may the next batch run? Says a pause once and its end. */
  private async mayRun(): Promise<ThrottleDecision> {
    let control: Control | null = null;
    let unreachable: string | null = null;
    try {
      control = await this.deps.control(this.backfillId);
    } catch (error) {
      unreachable = (error as Error).message;
    }
    if (this.clock() - this.gateAt >= (this.options.gateEveryMs ?? 5000)) {
      this.gateAt = this.clock();
      try {
        this.gate = await this.deps.gate();
        this.gateError = null;
      } catch (error) {
        this.gateError = (error as Error).message;
      }
    }
    unreachable ??= this.gateError;
    await this.readLag();
    const decision = decideThrottle({
      control,
      gate: this.gateError ? null : this.gate,
      unreachable,
      lagMs: this.lagMs,
      maxLagMs: this.options.maxLagMs ?? 1000,
    });
    if (decision.kind === "pause") {
      this.throttle = decision.reason;
      if (pauseIsNew(this.pausedCause, decision)) {
        if (this.pausedCause === null) this.pausedAt = this.clock();
        this.pausedCause = decision.cause;
        const data = {
          backfill_id: this.backfillId,
          rows_done: this.rowsDone,
          cause: decision.cause,
          reason: decision.reason,
          ...(this.lagMs !== null && decision.cause === "replica_lag"
            ? { replica_lag_ms: Math.round(this.lagMs) }
            : {}),
        };
        this.deps.report({ kind: "paused", ...data });
        // Rollgate cannot be told that it cannot be reached.
        const { cause } = decision;
        if (cause !== "rollgate_unreachable") await this.send("backfill.paused", { ...data, cause });
      }
    } else if (this.pausedCause !== null) {
      this.deps.report({
        kind: "resumed",
        backfill_id: this.backfillId,
        rows_done: this.rowsDone,
        after_ms: Math.round(this.clock() - this.pausedAt),
      });
      this.pausedCause = null;
      this.throttle = null;
    }
    return decision;
  }

  private async readLag() {
    const [row] = await this.db.query<{
      lsn: string;
      standbys: Array<{ name: string; replay_lsn: string | null; replay_lag_ms: number | null }>;
    }>(
      `select pg_current_wal_lsn()::text as lsn,
              coalesce((select json_agg(json_build_object(
                  'name', coalesce(nullif(application_name, ''), 'standby') || coalesce(' at ' || client_addr::text, ''),
                  'replay_lsn', replay_lsn::text,
                  'replay_lag_ms', extract(epoch from replay_lag) * 1000))
                from pg_stat_replication where state in ('streaming', 'catchup')), '[]'::json) as standbys`,
    );
    if (!row) return;
    const now = this.clock();
    this.samples.push({ atMs: now, lsn: parseLsn(row.lsn) });
    const standbys: StandbyReading[] = row.standbys.map((s) => ({
      name: s.name,
      replayLsn: s.replay_lsn ? parseLsn(s.replay_lsn) : null,
      replayLagMs: s.replay_lag_ms,
    }));
    this.samples = keepSamples(this.samples, standbys);
    this.lagMs = replicaLag(this.samples, standbys, now).lagMs;
    if (standbys.length === 0 && this.lagSaid !== "none") {
      this.lagSaid = "none";
      this.note("no streaming replica is connected to this server: no replica-lag throttle.");
    } else if (standbys.length > 0 && this.lagMs === null && this.lagSaid !== "unreadable") {
      this.lagSaid = "unreadable";
      this.note(
        "this role cannot read the replicas' replay position in pg_stat_replication (grant it pg_monitor): no replica-lag throttle.",
      );
    } else if (standbys.length > 0 && this.lagMs !== null) this.lagSaid = null;
  }

  /** One batch and its checkpoint in one short transaction, retried after lock timeouts and the like. */
  private async batch(): Promise<{ ok: true; done: boolean } | { ok: false; error: string }> {
    const q = this.db.query;
    const retries = this.options.retries ?? 10;
    const after = this.lastKey !== null;
    const sql = batchSql(this.plan, { after, checkpoint: true });
    for (let attempt = 0; ; attempt += 1) {
      const size = this.batchSize;
      const params = [...(this.lastKey ?? []), size, this.runId];
      const started = this.clock();
      try {
        await q("begin");
        await q(`set local lock_timeout = ${Math.floor(this.options.lockTimeoutMs ?? 2000)}`);
        await q(`set local statement_timeout = ${Math.floor(this.options.statementTimeoutMs ?? 30_000)}`);
        const [row] = await q<{
          selected: number;
          written: number;
          last_key: string[] | null;
          rows_done: number | null;
          rows_written: number | null;
        }>(sql, params);
        await q("commit");
        const durationMs = this.clock() - started;
        this.activeMs += durationMs;
        this.batches += 1;
        if (row?.rows_done === null || row?.rows_done === undefined)
          return { ok: false, error: `the checkpoint row of this backfill is gone from ${CHECKPOINT_TABLE}` };
        this.rowsDone = row.rows_done;
        this.rowsWritten = row.rows_written ?? this.rowsWritten;
        if (row.last_key) this.lastKey = row.last_key;
        const full = row.selected >= size;
        this.batchSize = nextBatchSize({
          size,
          durationMs,
          targetMs: this.options.batchTargetMs ?? BATCH_SIZE_DEFAULTS.targetMs,
          bounds: this.bounds,
          full,
        });
        return { ok: true, done: !full };
      } catch (error) {
        await q("rollback").catch(() => undefined);
        const code = (error as PgError).code ?? "";
        const what = RETRYABLE[code];
        if (!what) return { ok: false, error: (error as Error).message };
        if (attempt >= retries)
          return { ok: false, error: `gave up after ${attempt + 1} ${what}(s): ${(error as Error).message}` };
        // A statement timeout says the batch is too large for this moment: halve it.
        if (code === "57014") this.batchSize = clampBatchSize(size / 2, this.bounds);
        const wait = backoffMs(attempt, this.options.backoff, this.random);
        this.deps.report({
          kind: "retry",
          backfill_id: this.backfillId,
          code,
          attempt: attempt + 1,
          wait_ms: wait,
          message: `${what}: ${(error as Error).message}`,
        });
        await this.sleep(wait);
      }
    }
  }

  private async maybeProgress(final: boolean, send = true) {
    const now = this.clock();
    const sendEvery = this.options.progressEveryMs ?? 5000;
    if (!final && now - this.progressAt < (this.options.reportEveryMs ?? sendEvery)) return;
    this.progressAt = now;
    const seconds = Math.max(this.activeMs, 1) / 1000;
    const rate = (this.rowsDone - this.rowsAtStart) / seconds;
    this.estimate = Math.max(this.estimate, this.rowsDone);
    const remaining = final ? 0 : this.estimate - this.rowsDone;
    const data: ProgressData = {
      backfill_id: this.backfillId,
      rows_done: this.rowsDone,
      rows_written: this.rowsWritten,
      estimate_rows: final ? this.rowsDone : this.estimate,
      rate_per_s: Math.round(rate * 10) / 10,
      eta_s: remaining <= 0 ? 0 : rate > 0 ? Math.round(remaining / rate) : null,
      batch_size: this.batchSize,
      replica_lag_ms: this.lagMs === null ? null : Math.round(this.lagMs),
      throttle: this.throttle === null ? null : this.throttle.slice(0, 1000),
    };
    this.deps.report({ kind: "progress", ...data });
    if (send && (final || now - this.sentAt >= sendEvery)) {
      this.sentAt = now;
      await this.send("backfill.progress", data);
    }
  }
}

/** What the catalog says about the table (one read). */
export async function tableFacts(
  query: Query,
  table: { schema: string | null; name: string },
): Promise<TableFacts | null> {
  const quoted = (n: string) => `"${n.replaceAll('"', '""')}"`;
  const name = table.schema ? `${quoted(table.schema)}.${quoted(table.name)}` : quoted(table.name);
  const [row] = await query<TableFacts & { oid: number }>(
    `select c.oid::int as oid, c.oid::regclass::text as display, n.nspname as schema, c.relname as name, c.relkind::text as relkind,
            coalesce((select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                                         'notNull', a.attnotnull, 'generated', a.attgenerated <> '') order by a.attnum)
                        from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]'::json) as columns,
            coalesce((select json_agg(json_build_object(
                        'name', ic.relname, 'primary', i.indisprimary, 'partial', i.indpred is not null, 'valid', i.indisvalid and i.indisready,
                        'columns', case when 0 = any (i.indkey::int2[]) then null else
                          (select json_agg(a.attname order by k.ord) from unnest((i.indkey::int2[])[0:i.indnkeyatts - 1]) with ordinality k(attnum, ord)
                             join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum) end))
                        from pg_index i join pg_class ic on ic.oid = i.indexrelid
                       where i.indrelid = c.oid and i.indisunique), '[]'::json) as "uniqueIndexes"
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = to_regclass($1)`,
    [name],
  );
  if (!row) return null;
  const { oid: _oid, ...facts } = row;
  return facts;
}
