import { blocksWrites, lockOfMode } from "../locks.ts";
import type { Context, Node, RawFinding } from "../types.ts";
import { createdHere } from "./contract.ts";
import { locking } from "./findings.ts";
import { optionOn } from "./options.ts";
import { display, rangeVar } from "./names.ts";

// Statements that are safe for old code but take locks that stall production traffic.

export function createIndex(stmt: Node, ctx: Context): RawFinding[] {
  const table = rangeVar(stmt.relation);
  const name = stmt.idxname ?? "(unnamed)";
  const out: RawFinding[] = [];
  if (stmt.concurrent && ctx.state.inTransaction)
    out.push({
      rule: "concurrently-in-transaction",
      category: "hygiene",
      severity: "error",
      message: `CREATE INDEX CONCURRENTLY ${name} inside a transaction block fails: PostgreSQL refuses it there.`,
      suggestion:
        "Run it outside BEGIN … COMMIT (and tell your migration tool not to wrap this file in a transaction).",
    });
  if (!stmt.concurrent && !createdHere(table, ctx.state))
    out.push(
      locking(
        "create-index-non-concurrently",
        `Builds index ${name} on ${display(table)} without CONCURRENTLY: writes to the table block until it finishes.`,
        "Use CREATE INDEX CONCURRENTLY (outside a transaction).",
      ),
    );
  if (!stmt.if_not_exists)
    out.push({
      rule: "create-without-if-not-exists",
      category: "non_idempotent",
      message: `CREATE INDEX ${name} fails when run a second time.`,
      suggestion: "Write CREATE INDEX … IF NOT EXISTS.",
    });
  return out;
}

export function dropIndex(stmt: Node): RawFinding[] {
  if (stmt.removeType !== "OBJECT_INDEX" || stmt.concurrent) return [];
  return [
    locking(
      "drop-index-non-concurrently",
      "Drops an index without CONCURRENTLY: reads and writes of its table block until it finishes.",
      "Use DROP INDEX CONCURRENTLY (outside a transaction).",
    ),
  ];
}

export const concurrentReindex = (stmt: Node) => optionOn(stmt.params, "concurrently");

export function reindex(stmt: Node): RawFinding[] {
  if (concurrentReindex(stmt)) return [];
  return [
    locking(
      "reindex-non-concurrently",
      "REINDEX without CONCURRENTLY locks out writes to the table for the whole rebuild.",
      "Use REINDEX … CONCURRENTLY.",
    ),
  ];
}

export const vacuumFull = (stmt: Node) => Boolean(stmt.is_vacuumcmd) && optionOn(stmt.options, "full");

export function vacuum(stmt: Node): RawFinding[] {
  if (!vacuumFull(stmt)) return [];
  return [
    locking(
      "vacuum-full",
      "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock: nothing can read or write it meanwhile.",
      "Use plain VACUUM, or pg_repack to compact a table online.",
    ),
  ];
}

export function cluster(): RawFinding[] {
  return [
    locking(
      "cluster",
      "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock.",
      "Leave physical ordering to pg_repack, outside a migration.",
    ),
  ];
}

export function explicitLock(stmt: Node): RawFinding[] {
  // ACCESS SHARE … SHARE UPDATE EXCLUSIVE let reads and writes through: only stronger modes stall traffic.
  if (!blocksWrites(lockOfMode(stmt.mode))) return [];
  const tables = ((stmt.relations as Node[]) ?? []).map((r) => display(rangeVar(r.RangeVar))).join(", ");
  return [
    locking(
      "explicit-lock",
      `LOCK TABLE ${tables} holds a ${lockOfMode(stmt.mode)} lock for the rest of the transaction and queues every other query behind it.`,
      "Rely on the locks the statements take themselves, with a lock_timeout.",
    ),
  ];
}

export function refreshMatView(stmt: Node, ctx: Context): RawFinding[] {
  const view = rangeVar(stmt.relation);
  if (stmt.concurrent || createdHere(view, ctx.state)) return [];
  return [
    locking(
      "refresh-materialized-view-non-concurrently",
      `REFRESH MATERIALIZED VIEW ${display(view)} rewrites it under an ACCESS EXCLUSIVE lock: every read of it waits.`,
      "Use REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view).",
    ),
  ];
}

export function moveAllTables(stmt: Node): RawFinding[] {
  return [
    locking(
      "set-tablespace",
      `Moves every ${String(stmt.objtype).replace("OBJECT_", "").toLowerCase()} of tablespace ${stmt.orig_tablespacename}: each is copied under an ACCESS EXCLUSIVE lock.`,
      "Move tables one at a time in a maintenance window, or online with logical replication.",
    ),
  ];
}

export function updateWithoutWhere(stmt: Node, ctx: Context): RawFinding[] {
  if (stmt.whereClause) return [];
  const table = rangeVar(stmt.relation);
  if (createdHere(table, ctx.state)) return [];
  return [
    locking(
      "update-without-where",
      `Updates every row of ${display(table)} in one statement: one long transaction holds row locks on the whole table, so every concurrent write to it waits.`,
      "Backfill in batches of a few thousand rows, each in its own transaction.",
    ),
  ];
}
