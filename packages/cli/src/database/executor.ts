import { loadModule, parseSync } from "libpg-query";
import type { Query } from "@rollgate/core/inspect/collect";
import { mustRunOutsideTransaction, transactionPlan } from "@rollgate/core/sql";

// The lock-safe executor behind `rollgate run --database-url`: statement by statement, with
// `lock_timeout` so a lock request never queues the application's traffic behind it for
// longer than that; on `lock_not_available` (55P03) the transaction is rolled back (which
// releases every lock it held) and retried after a jittered exponential backoff.
// CONCURRENTLY statements run on their own, outside a transaction; consecutive other
// statements run together in one, and a script's own BEGIN … COMMIT block is one transaction of
// its own. Any other transaction control is refused before anything runs (core's transactionPlan).

export interface ScriptStatement {
  index: number;
  line: number;
  text: string;
  /** Must run outside a transaction block (CREATE INDEX CONCURRENTLY and the like). */
  concurrently: boolean;
  /** CREATE INDEX CONCURRENTLY's index, dropped again if a lock timeout left it invalid. */
  index_name?: string;
  /** The script's own BEGIN … COMMIT block it stands in (its BEGIN's statement index), if any. */
  block?: number;
}

export interface StatementResult {
  index: number;
  line: number;
  duration_ms: number;
  retries: number;
  concurrently?: boolean;
}

export interface ExecuteOptions {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** Attempts after a lock timeout before giving up. */
  retries: number;
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => number;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { kind: "start"; statement: ScriptStatement; total: number; attempt: number }
  | { kind: "done"; statement: ScriptStatement; total: number; durationMs: number }
  | { kind: "lock_timeout"; statement: ScriptStatement; total: number; attempt: number; waitMs: number };

export interface ExecuteResult {
  ok: boolean;
  statements: StatementResult[];
  error?: { index: number; code: string | null; message: string };
}

/** The script's own transaction control means something the executor cannot run exactly. */
export class TransactionControlRefused extends Error {
  constructor(
    readonly line: number,
    readonly statement: string,
    readonly reason: string,
  ) {
    super(`line ${line}: ${statement.replace(/\s+/g, " ").slice(0, 80)} — ${reason}`);
  }
}

/**
 * Splits a script into statements with PostgreSQL's parser; timeouts are the executor's own,
 * and so is the transaction: a plain BEGIN first and COMMIT last are dropped (one transaction
 * means the same), any other transaction control refuses the script (TransactionControlRefused).
 */
export async function splitScript(sql: string): Promise<ScriptStatement[]> {
  await loadModule();
  const bytes = Buffer.from(sql, "utf8");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the parse tree is read field by field
  const parsed = ((parseSync(sql).stmts ?? []) as any[]).map((raw) => {
    const type = Object.keys(raw.stmt)[0]!;
    const start = raw.stmt_location ?? 0;
    const text = bytes
      .subarray(start, raw.stmt_len ? start + raw.stmt_len : undefined)
      .toString("utf8")
      .trim();
    const line =
      bytes.subarray(0, start).toString("utf8").split("\n").length +
      (text.length ? leadingNewlines(bytes.subarray(start).toString("utf8")) : 0);
    return { type, node: raw.stmt[type], line, text };
  });
  const plan = transactionPlan(parsed);
  if (plan.kind === "refused")
    throw new TransactionControlRefused(plan.line, parsed[plan.statement]!.text, plan.reason);
  const blockOf = (i: number) =>
    plan.kind === "blocks" ? plan.blocks.find((b) => b.begin < i && i < b.commit)?.begin : undefined;
  const out: ScriptStatement[] = [];
  for (const [i, { type, node, line, text }] of parsed.entries()) {
    if (type === "TransactionStmt") continue; // only plain BEGIN … COMMIT blocks are left here
    // The executor's own timeouts decide: a script's `SET lock_timeout = '1min'` would let its lock queue traffic for a minute.
    if (type === "VariableSetStmt" && ["lock_timeout", "statement_timeout"].includes(node.name)) continue;
    out.push({
      index: out.length,
      line,
      text,
      concurrently: mustRunOutsideTransaction(type, node),
      ...(type === "IndexStmt" && node.concurrent && node.idxname ? { index_name: node.idxname as string } : {}),
      ...(blockOf(i) === undefined ? {} : { block: blockOf(i) }),
    });
  }
  return out;
}

function leadingNewlines(text: string): number {
  return (text.match(/^\s*/)?.[0] ?? "").split("\n").length - 1;
}

/** Runs the statements; stops at the first error that is not a lock timeout, or when retries run out. */
export async function executeScript(
  query: Query,
  statements: ScriptStatement[],
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const clock = options.clock ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const results = new Map<number, StatementResult>(
    statements.map((s) => [
      s.index,
      { index: s.index, line: s.line, duration_ms: 0, retries: 0, ...(s.concurrently ? { concurrently: true } : {}) },
    ]),
  );
  const total = statements.length;
  const settings = [
    `lock_timeout = ${Math.floor(options.lockTimeoutMs)}`,
    `statement_timeout = ${Math.floor(options.statementTimeoutMs)}`,
  ];
  for (const s of settings) await query(`set session ${s}`);

  for (const segment of segments(statements)) {
    const inTransaction = !segment[0]!.concurrently;
    for (let attempt = 0; ; attempt += 1) {
      let failed: { statement: ScriptStatement; error: PgError; at: number } | null = null;
      if (inTransaction) {
        await query("begin");
        for (const s of settings) await query(`set local ${s}`);
      }
      for (const statement of segment) {
        options.onProgress?.({ kind: "start", statement, total, attempt });
        const started = clock();
        try {
          await query(statement.text);
          results.get(statement.index)!.duration_ms = Math.round(clock() - started);
          options.onProgress?.({ kind: "done", statement, total, durationMs: Math.round(clock() - started) });
        } catch (error) {
          failed = { statement, error: error as PgError, at: Math.round(clock() - started) };
          break;
        }
      }
      if (!failed) {
        if (inTransaction) await query("commit");
        break;
      }
      if (inTransaction) await query("rollback");
      const code = failed.error.code ?? null;
      if (code !== "55P03" || attempt >= options.retries) {
        const message =
          code === "55P03"
            ? `gave up after ${attempt + 1} lock timeout(s) of ${options.lockTimeoutMs} ms: ${failed.error.message}`
            : failed.error.message;
        return {
          ok: false,
          statements: [...results.values()],
          error: { index: failed.statement.index, code, message },
        };
      }
      results.get(failed.statement.index)!.retries += 1;
      if (failed.statement.index_name) await dropInvalidIndex(query, failed.statement.index_name);
      const wait = backoffMs(attempt, options.backoff, random);
      options.onProgress?.({
        kind: "lock_timeout",
        statement: failed.statement,
        total,
        attempt: attempt + 1,
        waitMs: wait,
      });
      await sleep(wait);
    }
  }
  return { ok: true, statements: [...results.values()] };
}

export const DEFAULT_BACKOFF = { baseMs: 250, maxMs: 15_000 } as const;

/**
 * The wait before retry `attempt` + 1 (attempt counts from 0): exponential from `baseMs`, capped at
 * `maxMs`, jittered ×0.5–1.5 so that sessions stopped by the same lock do not come back together.
 * Shared by the executor and the backfill.
 */
export function backoffMs(
  attempt: number,
  backoff: { baseMs: number; maxMs: number } = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  return Math.round(Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt) * (0.5 + random()));
}

interface PgError extends Error {
  code?: string;
}

/** Consecutive statements that may share a transaction (a script's own block is one alone); each CONCURRENTLY statement alone. */
function segments(statements: ScriptStatement[]): ScriptStatement[][] {
  const out: ScriptStatement[][] = [];
  for (const s of statements) {
    const last = out.at(-1);
    if (!s.concurrently && last && !last[0]!.concurrently && last[0]!.block === s.block) last.push(s);
    else out.push([s]);
  }
  return out;
}

/** A CREATE INDEX CONCURRENTLY stopped by a lock timeout leaves an invalid index behind. */
async function dropInvalidIndex(query: Query, name: string): Promise<void> {
  const [row] = await query<{ invalid: boolean }>(
    "select not i.indisvalid as invalid from pg_index i where i.indexrelid = to_regclass($1)",
    [name],
  );
  if (row?.invalid) await query(`drop index concurrently if exists ${name}`);
}

/** Sessions that hold or wait for locks on `tables` in a long or idle transaction: they would block the contract. */
export async function blockingSessions(query: Query, tables: string[], longSeconds: number) {
  if (tables.length === 0) return [];
  return query<{ pid: number; state: string | null; mode: string; table: string; xact_seconds: number | null }>(
    `select a.pid, a.state, l.mode, n.nspname || '.' || c.relname as table, extract(epoch from now() - a.xact_start)::float8 as xact_seconds
       from pg_locks l join pg_stat_activity a on a.pid = l.pid join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
      where l.locktype = 'relation' and l.relation = any (select to_regclass(t) from unnest($1::text[]) t) and a.pid <> pg_backend_pid()
        and (a.state like 'idle in transaction%' or now() - a.xact_start > make_interval(secs => $2))`,
    [tables, longSeconds],
  );
}
