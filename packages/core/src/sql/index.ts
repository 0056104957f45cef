export { analyseSql, analyseSqlSync, loadSqlParser } from "./analyse.ts";
export type { AnalyseOptions, AnalysedStatement, Finding, FindingCategory, LockMode, Severity, SqlAnalysis, StatementKind } from "./types.ts";
