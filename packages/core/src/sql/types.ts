/** A database object that a contract script removes or changes (what the old version may still use). */
export interface RemovedObject {
  kind: "table" | "column" | "schema" | "type" | "view" | "index" | "constraint";
  schema?: string;
  table?: string;
  name: string;
  change: string;
}

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

/** PostgreSQL's table-level lock modes, weakest first (docs: "Explicit Locking"). */
export const LOCK_MODES = [
  "ACCESS SHARE",
  "ROW SHARE",
  "ROW EXCLUSIVE",
  "SHARE UPDATE EXCLUSIVE",
  "SHARE",
  "SHARE ROW EXCLUSIVE",
  "EXCLUSIVE",
  "ACCESS EXCLUSIVE",
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

export interface AnalysedStatement {
  index: number;
  kind: StatementKind;
  /** The parse node type, e.g. `AlterTableStmt`. */
  type: string;
  line: number;
  column: number;
  /** The strongest lock the statement takes on `table` (for a DO block: on any table it touches), or null. */
  lock: LockMode | null;
  /** Whether the statement rewrites the whole table (a copy of every row under its lock). */
  rewrites: boolean;
  /** The table (or other relation) the lock is on, as written: `schema.name` or `name`. */
  table: string | null;
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
  /** Tables created earlier in this file (`schema.name`): locking on them is harmless. */
  createdTables: Set<string>;
  /** The same tables' bare names, a quick first check. */
  createdTableNames: Set<string>;
  /** Lower-case names of other objects created earlier in this file (types, functions, sequences, views…). */
  createdObjects: Set<string>;
}

/** What a statement does, before the file decides severities. */
export interface Outcome {
  findings: RawFinding[];
  lock: LockMode | null;
  rewrites: boolean;
  table: QualifiedName | null;
}

export interface QualifiedName {
  schema?: string;
  name: string;
}

/** What a rule may ask of the analyser besides the node. */
export interface Context {
  state: FileState;
  /** The statement's own source text (the PL/pgSQL parser needs it). */
  text(): string;
  /** Analyses SQL text found inside the statement; `runs` says whether it executes now (DO) or later (a function body). */
  nested(sql: string, label: string, runs: boolean): Outcome;
  /** Analyses a statement node found inside this one (a data change in a CTE, a SQL function body). */
  inner(type: string, node: Node, label: string, runs: boolean): Outcome;
}

// The parse tree is libpg_query's JSON; rules read it through this loose shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Node = Record<string, any>;
export type Rule = (node: Node, ctx: Context) => RawFinding[];
