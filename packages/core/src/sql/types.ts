import type { RemovedObject } from "../eligibility/index.ts";

export type FindingCategory = "contract" | "locking" | "non_idempotent" | "hygiene";
export type Severity = "error" | "warning" | "info";
export type StatementKind = "expand" | "contract" | "locking" | "non_idempotent";

export interface Finding {
  rule: string;
  category: FindingCategory;
  severity: Severity;
  /** 0-based index of the statement in the file. */
  statement: number;
  /** 1-based line and column of the statement's first token. */
  line: number;
  column: number;
  message: string;
  suggestion: string;
}

export interface AnalysedStatement {
  index: number;
  kind: StatementKind;
  /** The parse node type, e.g. `AlterTableStmt`. */
  type: string;
  line: number;
  column: number;
}

export interface SqlAnalysis {
  statements: AnalysedStatement[];
  findings: Finding[];
  /** Schema objects a script removes or changes incompatibly: input to rollback eligibility. */
  objects: Array<RemovedObject & { statement: number }>;
  summary: { errors: number; warnings: number };
}

export interface AnalyseOptions {
  phase?: "expand" | "contract";
  /** Treat locking findings as errors (a policy choice). */
  lockingIsError?: boolean;
}

/** What a rule reports before the phase decides its severity. */
export interface RawFinding {
  rule: string;
  category: FindingCategory;
  message: string;
  suggestion: string;
  /** Only for findings that are wrong in every phase (e.g. CONCURRENTLY inside a transaction). */
  severity?: Severity;
  object?: RemovedObject;
}

/** What rules know about the file so far. */
export interface FileState {
  inTransaction: boolean;
  lockTimeoutSet: boolean;
  /** Tables created earlier in this file: locking on them is harmless. */
  createdTables: Set<string>;
}

// The parse tree is libpg_query's JSON; rules read it through this loose shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = Record<string, any>;
export type Rule = (node: Node, state: FileState) => RawFinding[];
