import { hasSqlDetails, loadModule, parseSync } from "libpg-query";
import { classify, firstKey, track } from "./classify.ts";
import { blocksWrites } from "./locks.ts";
import { createdHere } from "./rules/contract.ts";
import { display } from "./rules/names.ts";
import { SourceMap } from "./source-map.ts";
import { transactionPlan, type ParsedStatement, type TransactionPlan } from "./transaction-control.ts";
import type {
  AnalyseOptions,
  AnalysedStatement,
  FileState,
  Finding,
  Node,
  Outcome,
  RawFinding,
  Severity,
  SqlAnalysis,
  StatementKind,
} from "./types.ts";

let loading: Promise<void> | undefined;

/** Loads the WASM parser once; `analyseSqlSync` may be used after it resolved. */
export function loadSqlParser(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

export async function analyseSql(sql: string, options: AnalyseOptions = {}): Promise<SqlAnalysis> {
  await loadSqlParser();
  return analyseSqlSync(sql, options);
}

/** Classifies every statement of a migration file. Never throws on bad SQL: a syntax error is a finding. */
export function analyseSqlSync(sql: string, options: AnalyseOptions = {}): SqlAnalysis {
  const source = new SourceMap(sql);
  let stmts: Node[];
  try {
    stmts = parseSync(sql).stmts ?? [];
  } catch (error) {
    return syntaxError(error, source);
  }
  const state: FileState = {
    inTransaction: false,
    lockTimeoutSet: false,
    createdTables: new Set(),
    createdTableNames: new Set(),
    createdObjects: new Set(),
  };
  const analysis: SqlAnalysis = { statements: [], findings: [], objects: [], summary: { errors: 0, warnings: 0 } };
  let warnedLockTimeout = false;
  // One text reader for the file, pointed at the current statement: no closure per statement.
  const current = { start: 0, length: undefined as number | undefined };
  const text = () => source.slice(current.start, current.length);
  const parsed: ParsedStatement[] = [];

  stmts.forEach((raw, index) => {
    const type = firstKey(raw.stmt as Node);
    const node = (raw.stmt as Node)[type] as Node;
    const start = (raw.stmt_location as number | undefined) ?? 0;
    const { line, column } = source.position(source.firstToken(source.charOffset(start)));
    current.start = start;
    current.length = raw.stmt_len as number | undefined;
    parsed.push({ type, node, line });
    const outcome = classify(type, node, text, state);
    const found = outcome.findings;
    if (!warnedLockTimeout && !state.lockTimeoutSet && waitsForLock(outcome, state)) {
      warnedLockTimeout = true;
      found.push({
        rule: "missing-lock-timeout",
        category: "hygiene",
        message: `This statement waits for ${/^[AE]/.test(outcome.lock!) ? "an" : "a"} ${outcome.lock} lock with no lock_timeout: while it waits, every query behind it waits too.`,
        suggestion: "Start the script with SET lock_timeout = '3s' (and retry on timeout).",
      });
    }
    for (const f of found) {
      const severity = severityOf(f, options);
      analysis.findings.push({
        rule: f.rule,
        category: f.category,
        severity,
        statement: index,
        line,
        column,
        message: f.message,
        suggestion: f.suggestion,
      });
      if (severity === "error") analysis.summary.errors += 1;
      else if (severity === "warning") analysis.summary.warnings += 1;
      if (f.object) analysis.objects.push({ ...f.object, statement: index });
    }
    analysis.statements.push({
      index,
      kind: kindOf(found),
      type,
      line,
      column,
      lock: outcome.lock,
      rewrites: outcome.rewrites,
      table: outcome.table ? display(outcome.table) : null,
    } satisfies AnalysedStatement);
    track(type, node, state);
  });
  executorFinding(analysis, transactionPlan(parsed), stmts, source);
  return analysis;
}

/** The refusal `rollgate run --database-url` would give, reported earlier; a warning, since psql may honour the script. */
function executorFinding(analysis: SqlAnalysis, plan: TransactionPlan, stmts: Node[], source: SourceMap): void {
  if (plan.kind !== "refused") return;
  const start = (stmts[plan.statement]?.stmt_location as number | undefined) ?? 0;
  const { line, column } = source.position(source.firstToken(source.charOffset(start)));
  const at = analysis.findings.findIndex((f) => f.statement > plan.statement);
  analysis.findings.splice(at === -1 ? analysis.findings.length : at, 0, {
    rule: "executor-transaction-control",
    category: "hygiene",
    severity: "warning",
    statement: plan.statement,
    line,
    column,
    message: `rollgate run --database-url refuses this script: ${plan.reason}`,
    suggestion:
      "Let the executor own the transaction (no BEGIN/COMMIT, or one plain BEGIN first and COMMIT last), or run the script with your own tool after --.",
  });
  analysis.summary.warnings += 1;
}

/** A lock that queues writes behind it, on a table that existed before this script. */
function waitsForLock(outcome: Outcome, state: FileState): boolean {
  if (!blocksWrites(outcome.lock)) return false;
  return !outcome.table || !createdHere(outcome.table, state);
}

function severityOf(f: RawFinding, options: AnalyseOptions): Severity {
  if (f.severity) return f.severity;
  if (f.category === "contract")
    return options.phase === "expand" ? "error" : options.phase === "contract" ? "info" : "warning";
  if (f.category === "locking") return options.lockingIsError ? "error" : "warning";
  return "warning";
}

function kindOf(found: RawFinding[]): StatementKind {
  for (const kind of ["contract", "locking", "non_idempotent"] as const)
    if (found.some((f) => f.category === kind)) return kind;
  return "expand";
}

function syntaxError(error: unknown, source: SourceMap): SqlAnalysis {
  const message = error instanceof Error ? error.message : String(error);
  const cursor = hasSqlDetails(error) ? (error.sqlDetails?.cursorPosition ?? 0) : 0;
  const { line, column } = source.position(cursor);
  const finding: Finding = {
    rule: "syntax-error",
    category: "hygiene",
    severity: "error",
    statement: 0,
    line,
    column,
    message: `PostgreSQL cannot parse this script: ${message}.`,
    suggestion: "Fix the syntax; nothing in this file was analysed.",
  };
  return { statements: [], findings: [finding], objects: [], summary: { errors: 1, warnings: 0 } };
}
