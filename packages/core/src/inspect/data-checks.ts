import type { DataCheckResult } from "../contract/data-checks.ts";
import { MAX_SAMPLE_KEYS } from "../contract/data-checks.ts";
import { readOnlySelectSync } from "../sql/read-only-select.ts";

// Runs data checks inside `rollgate inspect`'s read-only transaction, each in a savepoint (a
// check that errs, a timeout included, does not end the inspection) under its own statement
// timeout. Each reports its row count and the first column of its first five rows, as text:
// the wrapper turns a row into JSON only to take that first value, so no other column's
// value ever leaves the database.

/** The query function of `collectInspection` (postgres.js on one connection, or PGlite). */
type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface DataCheckToRun {
  name: string;
  sql: string;
  /** The SHA-256 of `sql`: the result counts only for it. */
  checksum: string;
}

/** Runs each check; call inside a transaction, after `loadSqlParser()`. */
export async function runDataChecks(
  query: Query,
  checks: readonly DataCheckToRun[],
  options: { timeoutMs: number; clock: () => number },
): Promise<DataCheckResult[]> {
  const results: DataCheckResult[] = [];
  if (checks.length === 0) return results;
  await query(`set local statement_timeout = ${Math.max(1, Math.floor(options.timeoutMs))}`);
  for (const check of checks) {
    const started = options.clock();
    const base = { name: check.name, checksum: check.checksum };
    const duration = () => Math.max(0, Math.round(options.clock() - started));
    const verdict = readOnlySelectSync(check.sql);
    if (!verdict.ok) {
      results.push({
        ...base,
        rows: 0,
        sample_keys: [],
        duration_ms: 0,
        error: clip(`refused: ${verdict.reason}`, 1000),
      });
      continue;
    }
    await query("savepoint rollgate_data_check");
    try {
      const [row] = await query<{ n: string | number; keys: unknown }>(wrapped(verdict.text));
      await query("release savepoint rollgate_data_check");
      const keys = (
        Array.isArray(row?.keys) ? row.keys : typeof row?.keys === "string" ? JSON.parse(row.keys) : []
      ) as Array<string | null>;
      results.push({
        ...base,
        rows: Number(row?.n ?? 0),
        sample_keys: keys.slice(0, MAX_SAMPLE_KEYS).map((k) => clip(k ?? "NULL", 200)),
        duration_ms: duration(),
      });
    } catch (error) {
      await query("rollback to savepoint rollgate_data_check");
      results.push({ ...base, rows: 0, sample_keys: [], duration_ms: duration(), error: clip(messageOf(error), 1000) });
    }
  }
  return results;
}

/** The count and the first column of the first five rows; the check's text is one SELECT without a
 * trailing semicolon, put on lines of its own so a trailing line comment cannot swallow the parenthesis. */
function wrapped(text: string): string {
  return `select count(*)::text as n,
       coalesce(json_agg(k order by rn) filter (where rn <= ${MAX_SAMPLE_KEYS}), '[]'::json) as keys
  from (select row_number() over () as rn, c as r from (
${text}
) as c) x
  cross join lateral (select case when x.rn <= ${MAX_SAMPLE_KEYS}
    then (select value from json_each_text(row_to_json(x.r)) limit 1) end as k) first_column`;
}

function messageOf(error: unknown): string {
  const e = error as { message?: string; code?: string };
  return `${e.message ?? String(error)}${e.code ? ` (SQLSTATE ${e.code})` : ""}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
