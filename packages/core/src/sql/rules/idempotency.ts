import type { Node, RawFinding } from "../types.ts";
import { notIdempotent } from "./findings.ts";
import { display, rangeVar } from "./names.ts";

// Scripts are re-run after a partial failure; statements that fail the second time turn
// a retry into an incident.

export function createTable(stmt: Node): RawFinding[] {
  if (stmt.if_not_exists) return [];
  return [
    notIdempotent(
      "create-without-if-not-exists",
      `CREATE TABLE ${display(rangeVar(stmt.relation))} fails when run a second time.`,
      "Write CREATE TABLE IF NOT EXISTS.",
    ),
  ];
}

export function createOther(kind: string) {
  return (stmt: Node): RawFinding[] =>
    stmt.if_not_exists
      ? []
      : [
          notIdempotent(
            "create-without-if-not-exists",
            `CREATE ${kind} fails when run a second time.`,
            `Write CREATE ${kind} IF NOT EXISTS.`,
          ),
        ];
}

export function dropWithoutIfExists(stmt: Node): RawFinding[] {
  if (stmt.missing_ok) return [];
  return [
    notIdempotent(
      "drop-without-if-exists",
      "DROP without IF EXISTS fails when run a second time.",
      "Write DROP … IF EXISTS.",
    ),
  ];
}

export function addEnumValue(stmt: Node): RawFinding[] {
  if (stmt.oldVal || stmt.skipIfNewValExists) return [];
  return [
    notIdempotent(
      "add-enum-value-without-if-not-exists",
      `ALTER TYPE … ADD VALUE '${stmt.newVal}' fails when run a second time.`,
      "Write ADD VALUE IF NOT EXISTS.",
    ),
  ];
}
