import type { RolloutState } from "../types.ts";

// Every reason `rollgate backfill` refuses to start, each with the sentence that says what to do.
// A refusal is decided before anything is written (exit 2).

export type BackfillRefusal =
  | { kind: "empty"; flag: "--set" | "--where" | "--table" | "--key" }
  | { kind: "does_not_parse"; flag: "--set" | "--where" | "--table" | "--key"; given: string; message: string }
  | { kind: "more_than_one_statement"; flag: "--set" | "--where" | "--table" | "--key"; given: string }
  | { kind: "not_an_assignment"; flag: "--set"; given: string; reason: string }
  | { kind: "not_a_predicate"; given: string; reason: string }
  | { kind: "not_a_name"; flag: "--table" | "--key"; given: string }
  | { kind: "unknown_table"; table: string }
  | { kind: "not_a_table"; table: string; relkind: string }
  | { kind: "no_primary_key"; table: string }
  | { kind: "key_column_missing"; table: string; column: string }
  | { kind: "key_not_unique"; table: string; key: string[] }
  | { kind: "key_nullable"; table: string; column: string }
  | { kind: "sets_key"; table: string; column: string }
  | { kind: "unknown_target"; table: string; column: string }
  | { kind: "generated_target"; table: string; column: string }
  | { kind: "contract_started"; state: RolloutState }
  | { kind: "rejected_by_database"; message: string };

const RELKINDS: Record<string, string> = {
  v: "a view",
  m: "a materialized view",
  f: "a foreign table",
  S: "a sequence",
  i: "an index",
  I: "an index",
  c: "a composite type",
  t: "a TOAST table",
};

/** The sentence for a refusal; it always ends by saying that nothing was written. */
export function refusalSentence(r: BackfillRefusal): string {
  const nothing = " Nothing was written.";
  switch (r.kind) {
    case "empty":
      return `${r.flag} is empty.${nothing}`;
    case "does_not_parse":
      return `${r.flag} ${JSON.stringify(r.given)} does not parse: ${r.message}.${nothing}`;
    case "more_than_one_statement":
      return `${r.flag} ${JSON.stringify(r.given)} is more than one ${r.flag === "--where" ? "predicate" : r.flag === "--set" ? "list of assignments" : "name"}: it reads as more than one statement.${nothing}`;
    case "not_an_assignment":
      return `--set ${JSON.stringify(r.given)} is not a plain list of column = expression: ${r.reason}.${nothing}`;
    case "not_a_predicate":
      return `--where ${JSON.stringify(r.given)} is not a plain predicate: ${r.reason}.${nothing}`;
    case "not_a_name":
      return r.flag === "--table"
        ? `--table ${JSON.stringify(r.given)} is not a table's name (give schema.table or table, without ONLY or an alias).${nothing}`
        : `--key ${JSON.stringify(r.given)} is not a list of distinct column names (e.g. --key id or --key "tenant_id, id").${nothing}`;
    case "unknown_table":
      return `there is no table ${r.table} in this database (or this role may not see it).${nothing}`;
    case "not_a_table":
      return `${r.table} is ${RELKINDS[r.relkind] ?? "not a table"}; a backfill updates a table.${nothing}`;
    case "no_primary_key":
      return `${r.table} has no primary key; name a unique, NOT NULL key with --key.${nothing}`;
    case "key_column_missing":
      return `${r.table} has no column ${r.column}, so it cannot be the key.${nothing}`;
    case "key_not_unique":
      return `the key (${r.key.join(", ")}) of ${r.table} is not unique: batches need a PRIMARY KEY or a valid unique index on exactly these columns (not partial, not on expressions).${nothing}`;
    case "key_nullable":
      return `the key column ${r.column} of ${r.table} may be NULL; a key column must be NOT NULL so that every row has a place in the batches.${nothing}`;
    case "sets_key":
      return `--set names the key column ${r.column} of ${r.table}; a backfill that moves its own key would skip or repeat rows. Choose another key with --key, or change the key another way.${nothing}`;
    case "unknown_target":
      return `--set names ${r.column}, which ${r.table} does not have (add the column in the expand first).${nothing}`;
    case "generated_target":
      return `--set names ${r.column}, a generated column of ${r.table}, which cannot be set.${nothing}`;
    case "contract_started":
      return `the rollout is ${r.state.replace("_", " ")}: its contract has started, so the old data may be gone; a backfill belongs between expand and contract.${nothing}`;
    case "rejected_by_database":
      return `PostgreSQL rejects the backfill's statement: ${r.message}.${nothing}`;
  }
}

/** States in which the contract has started: a backfill is refused (at the start) or stopped (while it runs). */
export const CONTRACT_STARTED_STATES: readonly RolloutState[] = ["contracting", "contracted", "contract_failed"];

export function contractStarted(state: RolloutState): boolean {
  return CONTRACT_STARTED_STATES.includes(state);
}
