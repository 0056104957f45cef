import type { DataCheckResult, SamplesWithheld } from "../contract/data-checks.ts";
import { MAX_SAMPLE_KEYS } from "../contract/data-checks.ts";
import { readOnlySelectSync } from "../sql/read-only-select.ts";

// Runs data checks inside `rollgate inspect`'s read-only transaction, each in a savepoint (a
// check that errs, a timeout included, does not end the inspection) under its own statement
// timeout. Each reports its row count and, only when the check's first output column is a
// column of its table's PRIMARY KEY, that column of its first five rows as text.
//
// Why so strict: a check's SQL comes from whoever holds an events:write token (release.created),
// so "the first column" could be `password_hash`. PostgreSQL's row description names, for each
// output column that is a plain column reference, the table OID and attribute number it comes
// from (through subqueries and CTEs; an expression, a sub-SELECT, a UNION or an outer join's
// merged column has none). The check's text is described without running it, the origin is
// looked up in pg_index in the same read-only transaction, and when it is not a primary key
// column the check runs under a wrapper that returns the count alone: the values never leave
// the database. A unique index is not enough: tokens, API keys and e-mail addresses are
// typically unique. An error's message is kept only when it cannot quote a value (messageOf).
// Counts remain a side channel (see docs/SECURITY.md).

/** The query function of `collectInspection` (postgres.js on one connection, or PGlite). */
type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/** Where each output column of a statement comes from (0 and 0 for a computed one). */
export type DescribeColumns = (sql: string) => Promise<Array<{ table: number; number: number }>>;

export interface DataCheckToRun {
  name: string;
  sql: string;
  /** The SHA-256 of `sql`: the result counts only for it. */
  checksum: string;
}

/** Runs each check; call inside a transaction, after `loadSqlParser()`. Without `describe` no
 * sample keys are reported (`origin_unknown`). */
export async function runDataChecks(
  query: Query,
  checks: readonly DataCheckToRun[],
  options: { timeoutMs: number; clock: () => number; describe?: DescribeColumns },
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
      const withheld = await samplesWithheld(query, options.describe, verdict.text);
      if (withheld !== null) {
        const [row] = await query<{ n: string | number }>(counted(verdict.text));
        await query("release savepoint rollgate_data_check");
        const rows = Number(row?.n ?? 0);
        results.push({
          ...base,
          rows,
          sample_keys: [],
          ...(rows > 0 ? { samples_withheld: withheld } : {}),
          duration_ms: duration(),
        });
        continue;
      }
      const [row] = await query<{ n: string | number; keys: unknown }>(sampled(verdict.text));
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

/**
 * Null when the check's first output column is a column of its table's primary key (its values
 * may be shown), else why not. The text is described, not run; the lookup reads the catalog.
 */
async function samplesWithheld(
  query: Query,
  describe: DescribeColumns | undefined,
  text: string,
): Promise<SamplesWithheld | null> {
  if (!describe) return "origin_unknown";
  const [first] = await describe(text);
  if (!first || !(first.table > 0) || !(first.number > 0)) return "not_a_table_column";
  const [row] = await query<{ key: boolean }>(
    `select exists (
       select 1 from pg_catalog.pg_index i
        where i.indrelid = $1::oid and i.indisprimary and $2::int2 = any (i.indkey::int2[])
     ) as key`,
    [first.table, first.number],
  );
  return row?.key === true ? null : "not_a_key_column";
}

/** The count alone: nothing of the rows leaves the database. The check's text is one SELECT
 * without a trailing semicolon, put on lines of its own so a trailing line comment cannot swallow
 * the parenthesis. */
function counted(text: string): string {
  return `select count(*)::text as n from (
${text}
) as c`;
}

/** The count and the first column of the first five rows (a primary key column, checked first). */
function sampled(text: string): string {
  return `select count(*)::text as n,
       coalesce(json_agg(k order by rn) filter (where rn <= ${MAX_SAMPLE_KEYS}), '[]'::json) as keys
  from (select row_number() over () as rn, c as r from (
${text}
) as c) x
  cross join lateral (select case when x.rn <= ${MAX_SAMPLE_KEYS}
    then (select value from json_each_text(row_to_json(x.r)) limit 1) end as k) first_column`;
}

/**
 * PostgreSQL's error, when it cannot quote the data: a check may force an error whose message
 * carries a value (`SELECT 1 WHERE (SELECT password_hash FROM users LIMIT 1)::int = 0` fails with
 * `invalid input syntax for type integer: "<the hash>"`). The message is kept only for classes
 * that speak of the statement, not of values: syntax and access (42: a missing column, permission
 * denied), a cancelled statement (57: the timeout), resources and limits (53, 54), the read-only
 * transaction (25), unsupported features (0A), and division by zero (22012); otherwise only the
 * SQLSTATE is reported. An error without a SQLSTATE is the client's own (a lost connection).
 */
function messageOf(error: unknown): string {
  const e = error as { message?: string; code?: string };
  if (!e.code) return e.message ?? String(error);
  const speaks = ["42", "57", "53", "54", "25", "0A"].includes(e.code.slice(0, 2)) || e.code === "22012";
  return speaks
    ? `${e.message ?? String(error)} (SQLSTATE ${e.code})`
    : `PostgreSQL error SQLSTATE ${e.code} (its message is withheld: it could quote a value the check read)`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
