import type { Node, RawFinding } from "../types.ts";
import { display, rangeVar } from "./names.ts";

// Scripts are re-run after a partial failure; statements that fail the second time turn
// a retry into an incident.

export function createTable(stmt: Node): RawFinding[] {
  if (stmt.if_not_exists) return [];
  return [{ rule: "create-without-if-not-exists", category: "non_idempotent", message: `CREATE TABLE ${display(rangeVar(stmt.relation))} fails when run a second time.`, suggestion: "Write CREATE TABLE IF NOT EXISTS." }];
}

export function createOther(kind: string) {
  return (stmt: Node): RawFinding[] =>
    stmt.if_not_exists ? [] : [{ rule: "create-without-if-not-exists", category: "non_idempotent", message: `CREATE ${kind} fails when run a second time.`, suggestion: `Write CREATE ${kind} IF NOT EXISTS.` }];
}

export function dropWithoutIfExists(stmt: Node): RawFinding[] {
  if (stmt.missing_ok) return [];
  return [{ rule: "drop-without-if-exists", category: "non_idempotent", message: "DROP without IF EXISTS fails when run a second time.", suggestion: "Write DROP … IF EXISTS." }];
}

export function updateWithoutWhere(stmt: Node): RawFinding[] {
  if (stmt.whereClause) return [];
  return [{ rule: "update-without-where", category: "hygiene", message: `Updates every row of ${display(rangeVar(stmt.relation))} in one statement: one long transaction holding row locks on the whole table.`, suggestion: "Backfill in batches of a few thousand rows, each in its own transaction." }];
}
