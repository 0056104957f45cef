import { hasSqlDetails, loadModule, parseSync } from "libpg-query";
import { alterTable } from "./rules/alter-table.ts";
import { deleteRows, dropObjects, moveToSchema, renameObject, revoke, truncate } from "./rules/contract.ts";
import { createOther, createTable, dropWithoutIfExists, updateWithoutWhere } from "./rules/idempotency.ts";
import { cluster, createIndex, dropIndex, explicitLock, reindex, takesLock, vacuum } from "./rules/locking.ts";
import { rangeVar, tableKey } from "./rules/names.ts";
import { SourceMap } from "./source-map.ts";
import type { AnalyseOptions, AnalysedStatement, FileState, Finding, Node, RawFinding, Rule, Severity, SqlAnalysis, StatementKind } from "./types.ts";

/** The rules that look at each parse-node type. */
const RULES: Record<string, Rule[]> = {
  AlterTableStmt: [alterTable],
  DropStmt: [dropObjects, dropIndex, dropWithoutIfExists],
  RenameStmt: [renameObject],
  TruncateStmt: [truncate],
  DeleteStmt: [deleteRows],
  UpdateStmt: [updateWithoutWhere],
  AlterObjectSchemaStmt: [moveToSchema],
  GrantStmt: [revoke],
  IndexStmt: [createIndex],
  ReindexStmt: [reindex],
  VacuumStmt: [vacuum],
  ClusterStmt: [cluster],
  LockStmt: [explicitLock],
  CreateStmt: [createTable],
  CreateSchemaStmt: [createOther("SCHEMA")],
  CreateSeqStmt: [createOther("SEQUENCE")],
  CreateExtensionStmt: [createOther("EXTENSION")],
};

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
  const state: FileState = { inTransaction: false, lockTimeoutSet: false, createdTables: new Set() };
  const analysis: SqlAnalysis = { statements: [], findings: [], objects: [], summary: { errors: 0, warnings: 0 } };
  let warnedLockTimeout = false;

  stmts.forEach((raw, index) => {
    const type = firstKey(raw.stmt as Node);
    const node = (raw.stmt as Node)[type] as Node;
    const { line, column } = source.position(source.firstToken(source.charOffset((raw.stmt_location as number | undefined) ?? 0)));
    const found: RawFinding[] = [];
    for (const rule of RULES[type] ?? []) found.push(...rule(node, state));
    if (!warnedLockTimeout && !state.lockTimeoutSet && takesLock(type, node, state)) {
      warnedLockTimeout = true;
      found.push({ rule: "missing-lock-timeout", category: "hygiene", message: "This statement waits for a lock with no lock_timeout: while it waits, every query behind it waits too.", suggestion: "Start the script with SET lock_timeout = '3s' (and retry on timeout)." });
    }
    for (const f of found) {
      const severity = severityOf(f, options);
      analysis.findings.push({ rule: f.rule, category: f.category, severity, statement: index, line, column, message: f.message, suggestion: f.suggestion });
      if (severity === "error") analysis.summary.errors += 1;
      else if (severity === "warning") analysis.summary.warnings += 1;
      if (f.object) analysis.objects.push({ ...f.object, statement: index });
    }
    analysis.statements.push({ index, kind: kindOf(found), type, line, column } satisfies AnalysedStatement);
    track(type, node, state);
  });
  return analysis;
}

function severityOf(f: RawFinding, options: AnalyseOptions): Severity {
  if (f.severity) return f.severity;
  if (f.category === "contract") return options.phase === "expand" ? "error" : options.phase === "contract" ? "info" : "warning";
  if (f.category === "locking") return options.lockingIsError ? "error" : "warning";
  return "warning";
}

function kindOf(found: RawFinding[]): StatementKind {
  for (const kind of ["contract", "locking", "non_idempotent"] as const) if (found.some((f) => f.category === kind)) return kind;
  return "expand";
}

/** What later statements need to know about earlier ones. */
function track(type: string, node: Node, state: FileState): void {
  if (type === "TransactionStmt") {
    if (node.kind === "TRANS_STMT_BEGIN" || node.kind === "TRANS_STMT_START") state.inTransaction = true;
    if (node.kind === "TRANS_STMT_COMMIT" || node.kind === "TRANS_STMT_ROLLBACK") state.inTransaction = false;
  } else if (type === "VariableSetStmt" && node.name === "lock_timeout") {
    const value = node.args?.[0]?.A_Const;
    state.lockTimeoutSet = node.kind === "VAR_SET_VALUE" && !(value?.ival !== undefined && !value.ival.ival) && value?.sval?.sval !== "0";
  } else if (type === "CreateStmt") {
    state.createdTables.add(tableKey(rangeVar(node.relation)));
  }
}

function syntaxError(error: unknown, source: SourceMap): SqlAnalysis {
  const message = error instanceof Error ? error.message : String(error);
  const cursor = hasSqlDetails(error) ? (error.sqlDetails?.cursorPosition ?? 0) : 0;
  const { line, column } = source.position(cursor);
  const finding: Finding = { rule: "syntax-error", category: "hygiene", severity: "error", statement: 0, line, column, message: `PostgreSQL cannot parse this script: ${message}.`, suggestion: "Fix the syntax; nothing in this file was analysed." };
  return { statements: [], findings: [finding], objects: [], summary: { errors: 1, warnings: 0 } };
}

function firstKey(object: Node): string {
  for (const key in object) return key;
  return "";
}
