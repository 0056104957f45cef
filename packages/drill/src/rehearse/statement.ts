import { parseScriptSync } from "@rollgate/core/sql";

// What the parse tree of an observed statement tells the engine: whether it writes (and so is
// executed, not only prepared), the table it writes, and which parameters go into (or are
// compared with) which of that table's columns, so that a parameter's value can be shaped
// like the column (a varchar(200) gets 200 characters) rather than only like its type.

type Node = Record<string, unknown>;

export interface ParamTarget {
  /** A column name, or its position (0-based) for an INSERT without a column list. */
  column: string | number;
  /** `col = ANY($1)`: the parameter is an array of the column's type. */
  array: boolean;
}

export interface StatementShape {
  write: boolean;
  /** INSERT: the target table is not seeded (its own row would conflict). */
  insert: boolean;
  /** DELETE: the target's parents are not seeded (it checks no foreign key of its own). */
  delete: boolean;
  target: { schema: string | null; name: string } | null;
  /** By parameter number (1-based). */
  params: Map<number, ParamTarget>;
}

const WRITES = new Set(["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"]);
const NOT_A_WRITE: StatementShape = { write: false, insert: false, delete: false, target: null, params: new Map() };

/** Classifies with libpg-query's parser; a statement it cannot parse is left to PostgreSQL (not a write). */
export function shapeOf(text: string): StatementShape {
  let type: string;
  let node: Node;
  try {
    const first = parseScriptSync(text)[0];
    if (!first) return NOT_A_WRITE;
    ({ type, node } = first as { type: string; node: Node });
  } catch {
    return NOT_A_WRITE;
  }
  if (!WRITES.has(type)) {
    // WITH … AS (INSERT/UPDATE/DELETE …) SELECT …: the data-modifying CTE is the write.
    const cte = modifyingCte(node);
    if (!cte) return NOT_A_WRITE;
    type = cte.type;
    node = cte.node;
  }
  const params = new Map<number, ParamTarget>();
  const relation = node.relation as Node | undefined;
  const target = relation
    ? { schema: (relation.schemaname as string | undefined) ?? null, name: String(relation.relname) }
    : null;
  if (type === "InsertStmt") mapInsert(node, params);
  if (type === "UpdateStmt") mapTargets(node.targetList, params);
  if (type === "UpdateStmt" || type === "DeleteStmt") mapWhere(node.whereClause, params);
  return { write: true, insert: type === "InsertStmt", delete: type === "DeleteStmt", target, params };
}

function modifyingCte(node: Node): { type: string; node: Node } | null {
  const ctes = ((node.withClause as Node | undefined)?.ctes as Node[] | undefined) ?? [];
  for (const c of ctes) {
    const query = (c.CommonTableExpr as Node | undefined)?.ctequery as Node | undefined;
    const type = query ? Object.keys(query)[0] : undefined;
    if (type && WRITES.has(type)) return { type, node: query![type] as Node };
  }
  return null;
}

/** `$n` or `$n::type`. */
function paramNumber(value: unknown): number | null {
  const node = value as Node | undefined;
  if (!node) return null;
  const ref = node.ParamRef as Node | undefined;
  if (ref) return Number(ref.number);
  const cast = node.TypeCast as Node | undefined;
  return cast ? paramNumber(cast.arg) : null;
}

function mapInsert(node: Node, params: Map<number, ParamTarget>): void {
  const cols = ((node.cols as Node[] | undefined) ?? []).map((c) => String((c.ResTarget as Node).name));
  const select = (node.selectStmt as Node | undefined)?.SelectStmt as Node | undefined;
  const rows: unknown[][] = [];
  for (const list of (select?.valuesLists as Node[] | undefined) ?? [])
    rows.push(((list.List as Node | undefined)?.items as unknown[] | undefined) ?? []);
  if (select?.targetList && !select.fromClause)
    rows.push((select.targetList as Node[]).map((t) => (t.ResTarget as Node).val));
  for (const row of rows)
    row.forEach((value, i) => {
      const n = paramNumber(value);
      if (n !== null && !params.has(n)) params.set(n, { column: cols.length > 0 ? (cols[i] ?? i) : i, array: false });
    });
  const conflict = node.onConflictClause as Node | undefined;
  if (conflict) mapTargets(conflict.targetList, params);
}

function mapTargets(list: unknown, params: Map<number, ParamTarget>): void {
  for (const t of (list as Node[] | undefined) ?? []) {
    const target = t.ResTarget as Node | undefined;
    const n = target ? paramNumber(target.val) : null;
    if (target && n !== null && !params.has(n)) params.set(n, { column: String(target.name), array: false });
  }
}

const columnName = (value: unknown): string | null => {
  const ref = (value as Node | undefined)?.ColumnRef as Node | undefined;
  const fields = (ref?.fields as Node[] | undefined) ?? [];
  const last = fields[fields.length - 1]?.String as Node | undefined;
  return last ? String(last.sval) : null;
};

/** `col = $n`, `$n = col`, `col = ANY($n)` anywhere under AND/OR. */
function mapWhere(value: unknown, params: Map<number, ParamTarget>): void {
  const node = value as Node | undefined;
  if (!node) return;
  const bool = node.BoolExpr as Node | undefined;
  if (bool) {
    for (const arg of (bool.args as unknown[] | undefined) ?? []) mapWhere(arg, params);
    return;
  }
  const expr = node.A_Expr as Node | undefined;
  if (!expr) return;
  const op = ((expr.name as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval;
  if (op !== "=") return;
  const array = expr.kind === "AEXPR_OP_ANY";
  if (expr.kind !== "AEXPR_OP" && !array) return;
  const pairs: Array<[unknown, unknown]> = [
    [expr.lexpr, expr.rexpr],
    [expr.rexpr, expr.lexpr],
  ];
  for (const [col, param] of pairs) {
    const name = columnName(col);
    const n = paramNumber(param);
    if (name && n !== null && !params.has(n)) params.set(n, { column: name, array });
  }
}
