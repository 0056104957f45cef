import { parseSync } from "libpg-query";
import { loadSqlParser } from "./analyse.ts";
import type { Node } from "./types.ts";

// A data check is SQL that Rollgate's server stores and `rollgate inspect` runs on the
// application's production database with its own credentials, so it must be one plain,
// read-only SELECT. `rollgate inspect` also runs it in a READ ONLY transaction; this check
// refuses what that does not stop (row locks, SELECT INTO's table, a writing CTE would
// fail there, functions with side effects outside the table data) and says why, before anything
// is stored or run.

export type ReadOnlySelect = { ok: true; text: string } | { ok: false; reason: string };

/** Functions that act outside the rows a read-only transaction protects (sessions, locks,
 * settings, files, large objects, other databases, sequences), by their unqualified name. */
const SIDE_EFFECTS = [
  /^pg_(terminate|cancel)_backend$/,
  /^pg_(try_)?advisory_/,
  /^pg_(reload_conf|rotate_logfile|switch_wal|promote|create_restore_point|log_backend_memory_contexts)$/,
  /^pg_(create|drop|copy)_.*(slot|origin)/,
  /^pg_replication_/,
  /^pg_logical_/,
  /^pg_stat_reset/,
  /^pg_(read_file|read_binary_file|ls_dir|stat_file|file_)/,
  /^pg_(import_system_collations|notify|sleep|sleep_for|sleep_until|wal_replay_(pause|resume))$/,
  /^lo_/,
  /^dblink/,
  /^(set_config|nextval|setval|txid_current|pg_current_xact_id)$/,
];

/** Checks that `sql` is exactly one read-only SELECT; answers its text without a trailing
 * semicolon (to run as a sub-query), or the reason it is refused. Call `loadSqlParser()` first. */
export function readOnlySelectSync(sql: string): ReadOnlySelect {
  let stmts: Node[];
  if (sql.trim() === "") return { ok: false, reason: "it holds no statement" };
  try {
    stmts = (parseSync(sql).stmts ?? []) as Node[];
  } catch (error) {
    return { ok: false, reason: `it does not parse: ${(error as Error).message}` };
  }
  if (stmts.length === 0) return { ok: false, reason: "it holds no statement" };
  if (stmts.length > 1)
    return { ok: false, reason: `it holds ${stmts.length} statements; a check is exactly one SELECT` };
  const raw = stmts[0]!;
  const type = Object.keys(raw.stmt as Node)[0]!;
  if (type !== "SelectStmt")
    return { ok: false, reason: `it is not a SELECT but a ${statementName(type)}; a check only reads` };
  const problem = findWrite(raw.stmt);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, text: statementText(sql, raw) };
}

/** `readOnlySelectSync` after loading the parser. */
export async function readOnlySelect(sql: string): Promise<ReadOnlySelect> {
  await loadSqlParser();
  return readOnlySelectSync(sql);
}

/** The first thing in the tree that writes or locks, as a reason; null when there is none. */
function findWrite(node: unknown): string | null {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findWrite(item);
      if (found) return found;
    }
    return null;
  }
  if (node === null || typeof node !== "object") return null;
  const n = node as Node;
  for (const [key, value] of Object.entries(n)) {
    if (key === "InsertStmt" || key === "UpdateStmt" || key === "DeleteStmt" || key === "MergeStmt")
      return `it holds a data-modifying ${statementName(key)} (in a WITH clause); a check only reads`;
    if (key === "SelectStmt") {
      const select = value as Node;
      if (select.intoClause) return "it is a SELECT INTO, which creates a table; a check only reads";
      if (select.lockingClause)
        return "it locks rows (FOR UPDATE/SHARE); a check only reads and never waits on writers";
    }
    if (key === "FuncCall") {
      const names = ((value as Node).funcname ?? []) as Node[];
      const name = String(names[names.length - 1]?.String?.sval ?? "").toLowerCase();
      if (SIDE_EFFECTS.some((re) => re.test(name)))
        return `it calls ${name}(), which acts outside the table data; a check only reads`;
    }
    const found = findWrite(value);
    if (found) return found;
  }
  return null;
}

/** The statement's own text: what precedes a trailing semicolon (locations are UTF-8 byte offsets). */
function statementText(sql: string, raw: Node): string {
  const bytes = new TextEncoder().encode(sql);
  const start = (raw.stmt_location as number | undefined) ?? 0;
  const length = raw.stmt_len as number | undefined;
  const slice = length ? bytes.subarray(start, start + length) : bytes.subarray(start);
  return new TextDecoder().decode(slice).trim();
}

function statementName(type: string): string {
  const words = type.replace(/Stmt$/, "").replace(/([a-z])([A-Z])/g, "$1 $2");
  return `${words.toUpperCase()} statement`;
}
