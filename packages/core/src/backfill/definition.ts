import { hasSqlDetails, loadModule, parseSync, scanSync } from "libpg-query";
import type { BackfillRefusal } from "./refusals.ts";

// What `rollgate backfill --table T --set "…" --where "…" --key …` means, read from PostgreSQL's
// own parse trees (libpg-query), never from patterns: the set targets and their expressions,
// the predicate, the table and the key. Anything the tree says is not a plain assignment, a
// plain predicate or a plain name is refused before the database is asked anything.

/** One `column = expression` of `--set`: the column as PostgreSQL names it, the expression's text. */
export interface SetTarget {
  column: string;
  expression: string;
}

export interface BackfillDefinition {
  table: { schema: string | null; name: string };
  targets: SetTarget[];
  /** The predicate's text (comments removed), or null without `--where`. */
  where: string | null;
  /** `--key` columns as PostgreSQL names them, or null for the primary key. */
  key: string[] | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; refusal: BackfillRefusal };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parse trees are read field by field
type Node = Record<string, any>;

let loading: Promise<void> | undefined;
/** Loads the WASM parser once; the `…Sync` readers may be used after it resolved. */
export function loadBackfillParser(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

const TABLE_PLACEHOLDER = "rollgate_backfill_table";

/** Reads all of a backfill's flags; the first refusal wins. Call `loadBackfillParser()` first. */
export function parseDefinitionSync(input: {
  table: string;
  set: string;
  where?: string | undefined;
  key?: string | undefined;
}): Parsed<BackfillDefinition> {
  const table = parseTableSync(input.table);
  if (!table.ok) return table;
  const targets = parseSetSync(input.set);
  if (!targets.ok) return targets;
  const where = input.where === undefined ? { ok: true as const, value: null } : parseWhereSync(input.where);
  if (!where.ok) return where;
  const key = input.key === undefined ? { ok: true as const, value: null } : parseKeySync(input.key);
  if (!key.ok) return key;
  return { ok: true, value: { table: table.value, targets: targets.value, where: where.value, key: key.value } };
}

/** The text with its comments replaced by spaces, so that wrapping it in parentheses keeps its meaning. */
export function withoutComments(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  let tokens;
  try {
    tokens = scanSync(text).tokens;
  } catch {
    return text; // the parser reports the error with PostgreSQL's message
  }
  for (const t of tokens)
    if (t.tokenName === "SQL_COMMENT" || t.tokenName === "C_COMMENT") bytes.fill(0x20, t.start, t.end);
  return bytes.toString("utf8").trim();
}

function parseOne(flag: "--set" | "--where" | "--table" | "--key", sql: string, given: string): Parsed<Node> {
  let stmts: Node[];
  try {
    stmts = (parseSync(sql).stmts ?? []) as Node[];
  } catch (error) {
    const message = hasSqlDetails(error) ? error.message : (error as Error).message;
    return { ok: false, refusal: { kind: "does_not_parse", flag, given, message } };
  }
  if (stmts.length !== 1) return { ok: false, refusal: { kind: "more_than_one_statement", flag, given } };
  return { ok: true, value: stmts[0]!.stmt as Node };
}

/** `--table invoices` or `billing.invoices`: one plain name, no ONLY, no alias. */
export function parseTableSync(given: string): Parsed<{ schema: string | null; name: string }> {
  const text = withoutComments(given);
  if (!text) return { ok: false, refusal: { kind: "empty", flag: "--table" } };
  const parsed = parseOne("--table", `UPDATE ${text} SET rollgate_backfill_column = 1`, given);
  if (!parsed.ok) return parsed;
  const update = parsed.value.UpdateStmt as Node | undefined;
  const relation = update?.relation as Node | undefined;
  if (!update || !relation || relation.alias || relation.inh !== true || relation.catalogname || update.whereClause)
    return { ok: false, refusal: { kind: "not_a_name", flag: "--table", given } };
  return { ok: true, value: { schema: (relation.schemaname as string | undefined) ?? null, name: relation.relname } };
}

/** `--set "billing_email = email, note = 'copied'"`: plain assignments to whole columns, nothing more. */
export function parseSetSync(given: string): Parsed<SetTarget[]> {
  const text = withoutComments(given);
  if (!text) return { ok: false, refusal: { kind: "empty", flag: "--set" } };
  const notAnAssignment = (reason: string): Parsed<SetTarget[]> => ({
    ok: false,
    refusal: { kind: "not_an_assignment", flag: "--set", given, reason },
  });
  const prefix = `UPDATE ${TABLE_PLACEHOLDER} SET `;
  const parsed = parseOne("--set", prefix + text, given);
  if (!parsed.ok) return parsed;
  const update = parsed.value.UpdateStmt as Node | undefined;
  if (!update) return { ok: false, refusal: { kind: "more_than_one_statement", flag: "--set", given } };
  const extra = smuggled(update);
  if (extra) return notAnAssignment(extra);
  const results = (update.targetList ?? []) as Node[];
  const targets = results.map((r) => r.ResTarget as Node);
  for (const t of targets) {
    if (t.indirection?.length)
      return notAnAssignment(`it assigns to a part of ${t.name} (a field or an array element); set whole columns`);
    if (t.val?.MultiAssignRef)
      return notAnAssignment("it assigns several columns from one row; write one `column = expression` each");
    if (t.val?.SetToDefault) return notAnAssignment(`it sets ${t.name} to DEFAULT; write the value`);
    const forbidden = forbiddenNode(t.val);
    if (forbidden) return notAnAssignment(forbidden);
  }
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) return notAnAssignment(`it sets ${t.name} twice`);
    seen.add(t.name);
  }
  // Each expression's text: between its `=` and the next top-level comma, found with PostgreSQL's scanner.
  const segments = topLevelSegments(text);
  if (segments.length !== targets.length) return notAnAssignment("its assignments could not be told apart");
  const prefixBytes = Buffer.byteLength(prefix, "utf8");
  const out: SetTarget[] = [];
  for (const [i, t] of targets.entries()) {
    const segment = segments[i]!;
    if (segment.start !== (t.location as number) - prefixBytes || !segment.expression)
      return notAnAssignment("its assignments could not be told apart");
    out.push({ column: t.name as string, expression: segment.expression });
  }
  return { ok: true, value: out };
}

/** `--where "billing_email IS NULL"`: one predicate, nothing after it. */
export function parseWhereSync(given: string): Parsed<string> {
  const text = withoutComments(given);
  if (!text) return { ok: false, refusal: { kind: "empty", flag: "--where" } };
  const parsed = parseOne(
    "--where",
    `UPDATE ${TABLE_PLACEHOLDER} SET rollgate_backfill_column = 1 WHERE ${text}`,
    given,
  );
  if (!parsed.ok) return parsed;
  const update = parsed.value.UpdateStmt as Node | undefined;
  if (!update?.whereClause) return { ok: false, refusal: { kind: "more_than_one_statement", flag: "--where", given } };
  const extra = smuggled({ ...update, whereClause: undefined });
  if (extra) return { ok: false, refusal: { kind: "not_a_predicate", given, reason: extra } };
  if ((update.targetList ?? []).length !== 1)
    return { ok: false, refusal: { kind: "not_a_predicate", given, reason: "it adds assignments" } };
  const forbidden = forbiddenNode(update.whereClause);
  if (forbidden) return { ok: false, refusal: { kind: "not_a_predicate", given, reason: forbidden } };
  return { ok: true, value: text };
}

/** `--key id` or `--key "tenant_id, id"`: plain column names. */
export function parseKeySync(given: string): Parsed<string[]> {
  const text = withoutComments(given);
  if (!text) return { ok: false, refusal: { kind: "empty", flag: "--key" } };
  const parsed = parseOne("--key", `SELECT ${text} FROM ${TABLE_PLACEHOLDER}`, given);
  if (!parsed.ok) return parsed;
  const select = parsed.value.SelectStmt as Node | undefined;
  const columns: string[] = [];
  const plain =
    select &&
    (select.fromClause ?? []).length === 1 &&
    !select.whereClause &&
    !select.groupClause &&
    !select.sortClause &&
    !select.limitCount &&
    !select.withClause;
  for (const r of plain ? ((select.targetList ?? []) as Node[]) : []) {
    const target = r.ResTarget as Node;
    const fields = target.val?.ColumnRef?.fields as Node[] | undefined;
    if (target.name || !fields || fields.length !== 1 || !fields[0]!.String)
      return { ok: false, refusal: { kind: "not_a_name", flag: "--key", given } };
    columns.push(fields[0]!.String.sval as string);
  }
  if (!plain || columns.length === 0) return { ok: false, refusal: { kind: "not_a_name", flag: "--key", given } };
  if (new Set(columns).size !== columns.length)
    return { ok: false, refusal: { kind: "not_a_name", flag: "--key", given } };
  return { ok: true, value: columns };
}

/** Clauses an UPDATE may carry beyond SET and WHERE: each would change what the backfill does. */
function smuggled(update: Node): string | null {
  if (update.whereClause) return "it carries a WHERE clause (give the predicate with --where)";
  if (update.fromClause?.length) return "it carries a FROM clause";
  if (update.returningClause || update.returningList?.length) return "it carries a RETURNING clause";
  if (update.withClause) return "it carries a WITH clause";
  return null;
}

/** Nodes that cannot mean a per-row value: a cursor position, a bind parameter. */
function forbiddenNode(node: unknown): string | null {
  let found: string | null = null;
  const walk = (value: unknown) => {
    if (found || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) return value.forEach(walk);
    for (const [key, child] of Object.entries(value as Node)) {
      if (key === "CurrentOfExpr") found = "WHERE CURRENT OF names a cursor, not rows";
      else if (key === "ParamRef") found = "it uses a bind parameter ($n); write the value";
      else walk(child);
    }
  };
  walk(node);
  return found;
}

/** The `column = expression` pieces of a SET list, split at commas outside parentheses and brackets. */
function topLevelSegments(text: string): Array<{ start: number; expression: string }> {
  const bytes = Buffer.from(text, "utf8");
  const tokens = scanSync(text).tokens;
  const out: Array<{ start: number; expression: string }> = [];
  let depth = 0;
  let current: { start: number; equals: number | null } | null = null;
  const close = (end: number) => {
    if (!current) return;
    const expression = current.equals === null ? "" : bytes.subarray(current.equals, end).toString("utf8").trim();
    out.push({ start: current.start, expression });
    current = null;
  };
  for (const t of tokens) {
    if (!current) current = { start: t.start, equals: null };
    if (t.text === "(" || t.text === "[") depth += 1;
    else if (t.text === ")" || t.text === "]") depth -= 1;
    else if (depth === 0 && t.text === ",") {
      close(t.start);
      continue;
    } else if (depth === 0 && t.text === "=" && current.equals === null) current.equals = t.end;
  }
  close(bytes.length);
  return out;
}
