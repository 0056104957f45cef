import { parseSync } from "libpg-query";
import { SourceMap } from "./source-map.ts";
import type { Node } from "./types.ts";

// `rollgate run --database-url` runs a script with its own transactions: consecutive statements
// in one, except those PostgreSQL refuses inside a transaction block, which run alone. A script's
// own transaction control (a TransactionStmt in the parse tree) is honoured exactly when it is
// plain BEGIN … COMMIT blocks: each block runs as one transaction of its own, as psql runs it.
// Anything else would mean something the executor would change (a savepoint rolled back, a
// ROLLBACK, a COMMIT AND CHAIN, an isolation level, a prepared transaction, a block left open),
// and then the script is refused rather than run with another meaning than the one approved.

export interface ParsedStatement {
  /** The parse node type, e.g. `TransactionStmt`. */
  type: string;
  node: Node;
  /** 1-based line of the statement's first token. */
  line: number;
}

export type TransactionPlan =
  /** No transaction control: the executor's own transactions are the script's. */
  | { kind: "none" }
  /** Plain BEGIN … COMMIT blocks, by the statement indexes of their BEGIN and COMMIT: each runs as one transaction. */
  | { kind: "blocks"; blocks: ReadonlyArray<{ begin: number; commit: number }> }
  | { kind: "refused"; statement: number; line: number; reason: string };

/** PostgreSQL refuses these inside a transaction block (CREATE INDEX CONCURRENTLY and the like). */
export function mustRunOutsideTransaction(type: string, node: Node): boolean {
  if ((type === "IndexStmt" || type === "DropStmt") && node.concurrent) return true;
  if (type === "ReindexStmt")
    return (node.params ?? []).some((p: { DefElem?: { defname?: string } }) => p.DefElem?.defname === "concurrently");
  if (type === "AlterTableStmt")
    return (node.cmds ?? []).some(
      (c: { AlterTableCmd?: { def?: { PartitionCmd?: { concurrent?: boolean } } } }) =>
        c.AlterTableCmd?.def?.PartitionCmd?.concurrent,
    );
  return type === "VacuumStmt" || type === "CreatedbStmt" || type === "AlterSystemStmt";
}

const WHAT: Record<string, string> = {
  TRANS_STMT_BEGIN: "BEGIN",
  TRANS_STMT_START: "START TRANSACTION",
  TRANS_STMT_COMMIT: "COMMIT",
  TRANS_STMT_ROLLBACK: "ROLLBACK",
  TRANS_STMT_SAVEPOINT: "SAVEPOINT",
  TRANS_STMT_RELEASE: "RELEASE SAVEPOINT",
  TRANS_STMT_ROLLBACK_TO: "ROLLBACK TO SAVEPOINT",
  TRANS_STMT_PREPARE: "PREPARE TRANSACTION",
  TRANS_STMT_COMMIT_PREPARED: "COMMIT PREPARED",
  TRANS_STMT_ROLLBACK_PREPARED: "ROLLBACK PREPARED",
};

const REASON: Record<string, string> = {
  TRANS_STMT_SAVEPOINT:
    "a savepoint exists to be rolled back to or released; the executor cannot honour that, and without it every statement of the script would take effect",
  TRANS_STMT_RELEASE: "the executor does not keep the script's savepoints",
  TRANS_STMT_ROLLBACK_TO:
    "rolling back to a savepoint undoes the statements before it; the executor would run them and keep their effect",
  TRANS_STMT_ROLLBACK:
    "ROLLBACK undoes what the script did so far; the executor would run those statements and keep their effect",
  TRANS_STMT_PREPARE: "two-phase commit leaves the outcome to another session; the executor commits itself",
  TRANS_STMT_COMMIT_PREPARED: "it finishes another session's prepared transaction",
  TRANS_STMT_ROLLBACK_PREPARED: "it finishes another session's prepared transaction",
};

const isBegin = (s: ParsedStatement) =>
  s.type === "TransactionStmt" && (s.node.kind === "TRANS_STMT_BEGIN" || s.node.kind === "TRANS_STMT_START");
const isCommit = (s: ParsedStatement) => s.type === "TransactionStmt" && s.node.kind === "TRANS_STMT_COMMIT";

/**
 * Whether the executor can run a script with exactly the meaning its transaction control gives
 * it, decided on the parse tree's TransactionStmt kinds. The first statement that cannot be
 * honoured is named with the reason.
 */
export function transactionPlan(statements: readonly ParsedStatement[]): TransactionPlan {
  const refuse = (i: number, reason: string): TransactionPlan => ({
    kind: "refused",
    statement: i,
    line: statements[i]!.line,
    reason,
  });
  const blocks: Array<{ begin: number; commit: number }> = [];
  let open: number | null = null;
  for (const [i, s] of statements.entries()) {
    if (s.type !== "TransactionStmt") {
      if (open !== null && mustRunOutsideTransaction(s.type, s.node))
        return refuse(
          i,
          "this statement cannot run inside BEGIN … COMMIT (PostgreSQL refuses it there, so the script as written fails); the executor would run it on its own and commit the rest. Move it after COMMIT.",
        );
      continue;
    }
    const kind = s.node.kind as string;
    const reason = REASON[kind];
    if (reason) return refuse(i, `${WHAT[kind] ?? kind}: ${reason}.`);
    if (isBegin(s)) {
      if ((s.node.options ?? []).length > 0)
        return refuse(
          i,
          `${WHAT[kind]} with transaction modes (isolation level, read only, deferrable): the executor runs its own transaction without them.`,
        );
      if (open !== null)
        return refuse(
          i,
          "a second BEGIN inside a transaction block: PostgreSQL only warns, and the meaning is unclear.",
        );
      open = i;
    } else if (isCommit(s)) {
      if (s.node.chain)
        return refuse(i, "COMMIT AND CHAIN starts a second transaction at once; the executor does not.");
      if (open === null)
        return refuse(i, "COMMIT with no BEGIN before it: the executor cannot tell which statements it was to commit.");
      blocks.push({ begin: open, commit: i });
      open = null;
    }
  }
  if (open !== null)
    return refuse(
      open,
      "BEGIN with no COMMIT: the session ends with the transaction open, so nothing after BEGIN is kept.",
    );
  return blocks.length ? { kind: "blocks", blocks } : { kind: "none" };
}

/** Parses a script and plans its transaction control; throws on a syntax error (the analyser reports those). */
export function transactionPlanOf(sql: string): TransactionPlan {
  const source = new SourceMap(sql);
  const statements = ((parseSync(sql).stmts ?? []) as Node[]).map((raw) => {
    const type = Object.keys(raw.stmt as Node)[0]!;
    const start = (raw.stmt_location as number | undefined) ?? 0;
    return {
      type,
      node: (raw.stmt as Node)[type] as Node,
      line: source.position(source.firstToken(source.charOffset(start))).line,
    };
  });
  return transactionPlan(statements);
}
