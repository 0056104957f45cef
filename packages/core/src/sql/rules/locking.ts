import type { FileState, Node, RawFinding } from "../types.ts";
import { display, rangeVar, tableKey } from "./names.ts";

// Statements that are safe for old code but take locks that stall production traffic.

export function createIndex(stmt: Node, state: FileState): RawFinding[] {
  const table = rangeVar(stmt.relation);
  const name = stmt.idxname ?? "(unnamed)";
  const out: RawFinding[] = [];
  if (stmt.concurrent && state.inTransaction)
    out.push({ rule: "concurrently-in-transaction", category: "hygiene", severity: "error", message: `CREATE INDEX CONCURRENTLY ${name} inside a transaction block fails: PostgreSQL refuses it there.`, suggestion: "Run it outside BEGIN … COMMIT (and tell your migration tool not to wrap this file in a transaction)." });
  if (!stmt.concurrent && !state.createdTables.has(tableKey(table)))
    out.push({ rule: "create-index-non-concurrently", category: "locking", message: `Builds index ${name} on ${display(table)} without CONCURRENTLY: writes to the table block until it finishes.`, suggestion: "Use CREATE INDEX CONCURRENTLY (outside a transaction)." });
  if (!stmt.if_not_exists) out.push({ rule: "create-without-if-not-exists", category: "non_idempotent", message: `CREATE INDEX ${name} fails when run a second time.`, suggestion: "Write CREATE INDEX … IF NOT EXISTS." });
  return out;
}

export function dropIndex(stmt: Node): RawFinding[] {
  if (stmt.removeType !== "OBJECT_INDEX" || stmt.concurrent) return [];
  return [{ rule: "drop-index-non-concurrently", category: "locking", message: "Drops an index without CONCURRENTLY: reads and writes of its table block until it finishes.", suggestion: "Use DROP INDEX CONCURRENTLY (outside a transaction)." }];
}

export function reindex(stmt: Node): RawFinding[] {
  const concurrently = ((stmt.params as Node[]) ?? []).some((p) => p.DefElem?.defname === "concurrently");
  if (concurrently) return [];
  return [{ rule: "reindex-non-concurrently", category: "locking", message: "REINDEX without CONCURRENTLY locks out writes to the table for the whole rebuild.", suggestion: "Use REINDEX … CONCURRENTLY." }];
}

export function vacuum(stmt: Node): RawFinding[] {
  const full = ((stmt.options as Node[]) ?? []).some((o) => o.DefElem?.defname === "full");
  if (!full || !stmt.is_vacuumcmd) return [];
  return [{ rule: "vacuum-full", category: "locking", message: "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock: nothing can read or write it meanwhile.", suggestion: "Use plain VACUUM, or pg_repack to compact a table online." }];
}

export function cluster(): RawFinding[] {
  return [{ rule: "cluster", category: "locking", message: "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock.", suggestion: "Leave physical ordering to pg_repack, outside a migration." }];
}

export function explicitLock(stmt: Node): RawFinding[] {
  const tables = ((stmt.relations as Node[]) ?? []).map((r) => display(rangeVar(r.RangeVar))).join(", ");
  return [{ rule: "explicit-lock", category: "locking", message: `LOCK TABLE ${tables} holds a lock for the rest of the transaction and queues every other query behind it.`, suggestion: "Rely on the locks the statements take themselves, with a lock_timeout." }];
}

/** DDL that takes an ACCESS EXCLUSIVE (or SHARE) lock and should not wait forever for it. */
export function takesLock(type: string, stmt: Node, state: FileState): boolean {
  switch (type) {
    case "AlterTableStmt":
      return !state.createdTables.has(tableKey(rangeVar(stmt.relation)));
    case "IndexStmt":
      return !stmt.concurrent && !state.createdTables.has(tableKey(rangeVar(stmt.relation)));
    case "RenameStmt":
    case "TruncateStmt":
    case "LockStmt":
    case "ClusterStmt":
    case "AlterObjectSchemaStmt":
      return true;
    case "DropStmt":
      return stmt.removeType === "OBJECT_TABLE" || (stmt.removeType === "OBJECT_INDEX" && !stmt.concurrent);
    default:
      return false;
  }
}
