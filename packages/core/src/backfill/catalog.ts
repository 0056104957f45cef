import type { BackfillDefinition, SetTarget } from "./definition.ts";
import type { BackfillRefusal } from "./refusals.ts";

// What the catalog says about the table, and what it means for the backfill: its key, its
// targets, or the refusal. The CLI reads the facts (one read-only query); this decides.

export interface TableFacts {
  /** schema.table as PostgreSQL names it (quoted where needed), for sentences. */
  display: string;
  schema: string;
  name: string;
  /** pg_class.relkind: r (table) and p (partitioned table) may be backfilled. */
  relkind: string;
  columns: Array<{ name: string; type: string; notNull: boolean; generated: boolean }>;
  /** Unique indexes (and the primary key): their columns in order, null when one is an expression. */
  uniqueIndexes: Array<{ name: string; columns: string[] | null; primary: boolean; partial: boolean; valid: boolean }>;
}

export interface BackfillPlan {
  schema: string;
  table: string;
  display: string;
  key: Array<{ column: string; type: string }>;
  targets: SetTarget[];
  where: string | null;
}

/** The key (the primary key unless `--key`) and the targets, or why the table cannot be backfilled so. */
export function planBackfill(
  definition: BackfillDefinition,
  facts: TableFacts | null,
): { ok: true; plan: BackfillPlan } | { ok: false; refusal: BackfillRefusal } {
  const { table } = definition;
  const named = table.schema ? `${table.schema}.${table.name}` : table.name;
  if (!facts) return { ok: false, refusal: { kind: "unknown_table", table: named } };
  if (facts.relkind !== "r" && facts.relkind !== "p")
    return { ok: false, refusal: { kind: "not_a_table", table: facts.display, relkind: facts.relkind } };
  const column = new Map(facts.columns.map((c) => [c.name, c]));
  let keyColumns = definition.key;
  if (!keyColumns) {
    const primary = facts.uniqueIndexes.find((i) => i.primary && i.valid && i.columns);
    if (!primary?.columns) return { ok: false, refusal: { kind: "no_primary_key", table: facts.display } };
    keyColumns = primary.columns;
  }
  for (const k of keyColumns)
    if (!column.has(k)) return { ok: false, refusal: { kind: "key_column_missing", table: facts.display, column: k } };
  const sameSet = (a: string[]) => a.length === keyColumns.length && keyColumns.every((k) => a.includes(k));
  const unique = facts.uniqueIndexes.some((i) => i.valid && !i.partial && i.columns && sameSet(i.columns));
  if (!unique) return { ok: false, refusal: { kind: "key_not_unique", table: facts.display, key: keyColumns } };
  for (const k of keyColumns)
    if (!column.get(k)!.notNull)
      return { ok: false, refusal: { kind: "key_nullable", table: facts.display, column: k } };
  for (const t of definition.targets) {
    if (keyColumns.includes(t.column))
      return { ok: false, refusal: { kind: "sets_key", table: facts.display, column: t.column } };
    const c = column.get(t.column);
    if (!c) return { ok: false, refusal: { kind: "unknown_target", table: facts.display, column: t.column } };
    if (c.generated)
      return { ok: false, refusal: { kind: "generated_target", table: facts.display, column: t.column } };
  }
  return {
    ok: true,
    plan: {
      schema: facts.schema,
      table: facts.name,
      display: facts.display,
      key: keyColumns.map((k) => ({ column: k, type: column.get(k)!.type })),
      targets: definition.targets,
      where: definition.where,
    },
  };
}
