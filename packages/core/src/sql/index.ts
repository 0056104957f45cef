export { analyseSql, analyseSqlSync, loadSqlParser } from "./analyse.ts";
export type {
  AnalyseOptions,
  AnalysedStatement,
  Finding,
  FindingCategory,
  LockMode,
  Severity,
  SqlAnalysis,
  StatementKind,
} from "./types.ts";
export { addedObjects, addedObjectsSync, typeText, type AddedObject } from "./added.ts";
export { declaredPhase } from "./phase-marker.ts";
export {
  mustRunOutsideTransaction,
  transactionPlan,
  transactionPlanOf,
  type ParsedStatement,
  type TransactionPlan,
} from "./transaction-control.ts";
export { readOnlySelect, readOnlySelectSync, type ReadOnlySelect } from "./read-only-select.ts";
export { parseScriptSync, SqlSyntaxError, type ScriptStatement } from "./parse.ts";
