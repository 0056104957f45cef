import type { BackfillPlan } from "./catalog.ts";

// The SQL a backfill runs, built from its plan. Identifiers come from the catalog and are
// quoted; expressions and the predicate are the user's text as PostgreSQL parsed it (comments
// removed), always inside parentheses.

export const CHECKPOINT_SCHEMA = "rollgate";
export const CHECKPOINT_TABLE = `${CHECKPOINT_SCHEMA}.backfill_checkpoints`;

/** Creates the checkpoint table in the application's database (once; later runs find it). */
export const CHECKPOINT_DDL = [
  `create schema if not exists ${CHECKPOINT_SCHEMA}`,
  `create table if not exists ${CHECKPOINT_TABLE} (
    run_id text primary key,
    backfill_id uuid not null,
    definition jsonb not null,
    last_key jsonb,
    rows_done bigint not null default 0,
    rows_written bigint not null default 0,
    started_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    finished_at timestamptz
  )`,
];

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualifiedTable(plan: Pick<BackfillPlan, "schema" | "table">): string {
  return `${quoteIdent(plan.schema)}.${quoteIdent(plan.table)}`;
}

/** `(a) IS DISTINCT FROM (expr) OR …`: the rows not yet at their target value. */
export function notAtTarget(plan: BackfillPlan): string {
  return plan.targets.map((t) => `(${quoteIdent(t.column)}) is distinct from (${t.expression})`).join(" or ");
}

/** The backfill's own data check: the keys of rows that match its predicate and are not at their target yet. */
export function checkSql(plan: BackfillPlan): string {
  const keys = plan.key.map((k) => quoteIdent(k.column)).join(", ");
  const where = plan.where ? `(${plan.where}) and (${notAtTarget(plan)})` : notAtTarget(plan);
  return `SELECT ${keys} FROM ${qualifiedTable(plan)} WHERE ${where}`;
}

/**
 * A name for the check, as Rollgate names checks (lower-case letters, digits, '.', '_', '-', at
 * most 100): `backfill.<schema>.<table>.<column>[_…]`, other characters as '-'.
 */
export function checkName(plan: BackfillPlan): string {
  const raw = `backfill.${plan.schema}.${plan.table}.${plan.targets.map((t) => t.column).join("_")}`.toLowerCase();
  const allowed = (c: string) =>
    (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c === "." || c === "_" || c === "-";
  return [...raw]
    .map((c) => (allowed(c) ? c : "-"))
    .join("")
    .slice(0, 100);
}

/** The keyset condition: keys after the checkpoint's (`$1…$n`, text cast to the key's types). */
function afterKey(plan: BackfillPlan): string {
  const keyList = plan.key.map((k) => quoteIdent(k.column)).join(", ");
  return `(${keyList}) > (${plan.key.map((k, i) => `$${i + 1}::text::${k.type}`).join(", ")})`;
}

/**
 * Rows still to do: those the predicate matches after the checkpoint (`after`: `$1…$n`). `explain`
 * asks the planner (nothing is read); otherwise a count, for a table never analysed.
 */
export function estimateSql(plan: BackfillPlan, options: { after: boolean; explain: boolean }): string {
  const conditions = [...(options.after ? [afterKey(plan)] : []), ...(plan.where ? [`(${plan.where})`] : [])];
  const where = conditions.length ? ` where ${conditions.join(" and ")}` : "";
  return options.explain
    ? `explain (format json) select 1 from ${qualifiedTable(plan)}${where}`
    : `select count(*)::float8 as rows from ${qualifiedTable(plan)}${where}`;
}

/**
 * One batch, one statement: the next keys after the checkpoint (`$1…$n`, as text) that match the
 * predicate, ordered by the key, at most `$n+1` of them; the UPDATE of those whose targets differ
 * from their values (a row already at its target is never written again); and, with
 * `checkpoint`, the checkpoint row (`run_id` the last parameter) moved to the last key selected,
 * in the same statement and so the same transaction as the rows.
 * Returns `selected`, `written` and `last_key` (a JSON array of the key's values as text).
 */
export function batchSql(plan: BackfillPlan, options: { after: boolean; checkpoint: boolean }): string {
  const table = qualifiedTable(plan);
  const keys = plan.key.map((k) => quoteIdent(k.column));
  const keyList = keys.join(", ");
  const n = plan.key.length;
  const conditions: string[] = [];
  if (options.after) conditions.push(afterKey(plan));
  if (plan.where) conditions.push(`(${plan.where})`);
  const limit = `$${options.after ? n + 1 : 1}`;
  const lastKey = `(select json_build_array(${keys.map((k) => `${k}::text`).join(", ")}) from batch order by ${keys.map((k) => `${k} desc`).join(", ")} limit 1)`;
  const set = plan.targets.map((t) => `${quoteIdent(t.column)} = (${t.expression})`).join(", ");
  const updateWhere = [`(${keyList}) in (select ${keyList} from batch)`];
  if (plan.where) updateWhere.push(`(${plan.where})`);
  updateWhere.push(`(${notAtTarget(plan)})`);
  const runId = `$${(options.after ? n + 1 : 1) + 1}`;
  return [
    `with batch as (select ${keyList} from ${table}${conditions.length ? ` where ${conditions.join(" and ")}` : ""} order by ${keyList} limit ${limit})`,
    `, written as (update ${table} set ${set} where ${updateWhere.join(" and ")} returning 1)`,
    options.checkpoint
      ? `, checkpoint as (update ${CHECKPOINT_TABLE} set last_key = coalesce(${lastKey}::jsonb, last_key), rows_done = rows_done + (select count(*) from batch), rows_written = rows_written + (select count(*) from written), updated_at = now() where run_id = ${runId} returning rows_done, rows_written)`
      : "",
    `select (select count(*) from batch)::int as selected, (select count(*) from written)::int as written, ${lastKey} as last_key`,
    options.checkpoint
      ? `, (select rows_done from checkpoint)::float8 as rows_done, (select rows_written from checkpoint)::float8 as rows_written`
      : "",
  ].join("\n");
}
