import { parseSync } from "libpg-query";
import { merge } from "./locks.ts";
import { unclassified, unverifiable } from "./rules/findings.ts";
import { dropObjectName, nameParts, objectKey, rangeVar, tableKey } from "./rules/names.ts";
import { sliceUtf8 } from "./source-map.ts";
import { STATEMENTS, type StatementClass } from "./statements.ts";
import type { Context, FileState, LockMode, Node, Outcome, QualifiedName, Rule } from "./types.ts";

// One statement in, its findings, lock, rewrite and table out. Code found inside it (a DO
// body, a function body, a CTE) goes through the same function, so it is judged by the same
// table as top-level statements.

/** DO blocks that EXECUTE DO blocks…: deeper than this is deliberate obfuscation. */
const MAX_DEPTH = 6;

interface Compiled {
  rules: Rule[];
  lock: (node: Node) => LockMode | null;
  rewrites: (node: Node) => boolean;
  target: (node: Node) => QualifiedName | null;
}

const none = () => null;
const never = () => false;
// The table in one shape (every field a function), so the hot path reads it monomorphically.
const COMPILED = new Map<string, Compiled>(
  Object.entries(STATEMENTS as Record<string, StatementClass>).map(([type, e]) => {
    const lock = e.lock;
    return [
      type,
      {
        rules: e.rules ?? [],
        lock: typeof lock === "function" ? lock : lock ? () => lock : none,
        rewrites: e.rewrites ?? never,
        target: e.target ?? none,
      },
    ];
  }),
);

export function classify(type: string, node: Node, text: () => string, state: FileState, depth = 0): Outcome {
  const entry = COMPILED.get(type);
  if (!entry) return { findings: [unclassified(type)], lock: null, rewrites: false, table: null };
  const outcome: Outcome = {
    findings: [],
    lock: entry.lock(node),
    rewrites: entry.rewrites(node),
    table: entry.target(node),
  };
  if (entry.rules.length === 0) return outcome;
  const ctx = new RuleContext(outcome, state, text, depth);
  for (const rule of entry.rules) {
    const found = rule(node, ctx);
    for (const f of found) outcome.findings.push(f);
  }
  return outcome;
}

/** A class rather than closures: one allocation per statement on the hot path. */
class RuleContext implements Context {
  constructor(
    private readonly outcome: Outcome,
    readonly state: FileState,
    readonly text: () => string,
    private readonly depth: number,
  ) {}

  nested(sql: string, label: string, runs: boolean): Outcome {
    const inner = labelled(
      classifyText(sql, label, runs ? { ...this.state, inTransaction: true } : scratch(this.state), this.depth + 1),
      label,
    );
    merge(this.outcome, inner, runs);
    return inner;
  }

  inner(type: string, node: Node, label: string, runs: boolean): Outcome {
    const inner = labelled(
      this.depth >= MAX_DEPTH
        ? tooDeep(label)
        : classify(type, node, this.text, runs ? this.state : scratch(this.state), this.depth + 1),
      label,
    );
    merge(this.outcome, inner, runs);
    return inner;
  }
}

/** Every statement of a piece of SQL text, folded into one outcome (the strongest lock wins). */
function classifyText(sql: string, label: string, state: FileState, depth: number): Outcome {
  const outcome: Outcome = { findings: [], lock: null, rewrites: false, table: null };
  if (depth > MAX_DEPTH) return tooDeep(label);
  let stmts: Node[];
  try {
    stmts = (parseSync(sql).stmts as Node[] | undefined) ?? [];
  } catch (error) {
    outcome.findings.push(
      unverifiable(
        "unverifiable-code",
        `PostgreSQL cannot parse this code (${error instanceof Error ? error.message : String(error)}), so Rollgate cannot verify what it does.`,
      ),
    );
    return outcome;
  }
  for (const raw of stmts) {
    const type = firstKey(raw.stmt as Node);
    const node = (raw.stmt as Node)[type] as Node;
    merge(
      outcome,
      classify(type, node, () => sliceUtf8(sql, raw.stmt_location, raw.stmt_len), state, depth),
      true,
    );
    track(type, node, state);
  }
  return outcome;
}

/** Code that runs later (a function body) must not change what the script itself knows. */
function scratch(state: FileState): FileState {
  return {
    inTransaction: true,
    lockTimeoutSet: true,
    createdTables: new Set(state.createdTables),
    createdTableNames: new Set(state.createdTableNames),
    createdObjects: new Set(state.createdObjects),
  };
}

/** Inner findings say where they are; retry-safety inside code is the code's own business (IF NOT EXISTS checks, exception handlers). */
function labelled(outcome: Outcome, label: string): Outcome {
  outcome.findings = outcome.findings
    .filter((f) => f.category !== "non_idempotent")
    .map((f) => ({ ...f, message: `${label}: ${f.message}` }));
  return outcome;
}

function tooDeep(label: string): Outcome {
  return {
    findings: [
      unverifiable("unverifiable-code", `${label}: code nested more than ${MAX_DEPTH} levels deep is not analysed.`),
    ],
    lock: null,
    rewrites: false,
    table: null,
  };
}

/** What later statements need to know about earlier ones. */
export function track(type: string, node: Node, state: FileState): void {
  switch (type) {
    case "TransactionStmt":
      if (node.kind === "TRANS_STMT_BEGIN" || node.kind === "TRANS_STMT_START") state.inTransaction = true;
      if (node.kind === "TRANS_STMT_COMMIT" || node.kind === "TRANS_STMT_ROLLBACK") state.inTransaction = false;
      break;
    case "VariableSetStmt":
      if (node.name === "lock_timeout") {
        const value = node.args?.[0]?.A_Const;
        state.lockTimeoutSet =
          node.kind === "VAR_SET_VALUE" &&
          !(value?.ival !== undefined && !value.ival.ival) &&
          value?.sval?.sval !== "0";
      }
      break;
    case "CreateStmt":
    case "CreateForeignTableStmt":
      createdTable(rangeVar(node.relation ?? node.base?.relation), state);
      break;
    case "CreateTableAsStmt":
      createdTable(rangeVar(node.into?.rel), state);
      break;
    case "ViewStmt":
      if (!node.replace) state.createdObjects.add(objectKey(rangeVar(node.view)));
      break;
    case "CreateSeqStmt":
      state.createdObjects.add(objectKey(rangeVar(node.sequence)));
      break;
    case "CompositeTypeStmt":
      state.createdObjects.add(objectKey(rangeVar(node.typevar)));
      break;
    case "CreateEnumStmt":
    case "CreateRangeStmt":
      state.createdObjects.add(objectKey(dropObjectName(node.typeName)));
      break;
    case "CreateDomainStmt":
      state.createdObjects.add(objectKey(dropObjectName(node.domainname)));
      break;
    case "CreateFunctionStmt":
      if (!node.replace) state.createdObjects.add(nameParts(node.funcname).at(-1)!.toLowerCase());
      break;
    case "CreateSchemaStmt":
      if (node.schemaname) state.createdObjects.add(String(node.schemaname).toLowerCase());
      break;
  }
}

function createdTable(name: QualifiedName, state: FileState): void {
  state.createdTables.add(tableKey(name));
  state.createdTableNames.add(objectKey(name));
}

export function firstKey(object: Node): string {
  for (const key in object) return key;
  return "";
}
