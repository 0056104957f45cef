import { parsePlPgSQLSync, parseSync } from "libpg-query";
import type { Context, Node, RawFinding } from "../types.ts";
import { unverifiable } from "./findings.ts";
import { nameParts } from "./names.ts";
import { optionOn } from "./options.ts";

// Code inside code: DO blocks and function bodies are analysed statement by statement, like
// the script around them. What cannot be read (a built EXECUTE string, another language) is a
// finding, because it runs with the same rights as everything else.

function option(list: Node[] | undefined, name: string): Node | undefined {
  for (const o of list ?? []) if (o.DefElem?.defname === name) return o.DefElem.arg;
  return undefined;
}

// Every SQL command begins with one of these words (PostgreSQL's grammar, `stmt:`), and PL/pgSQL
// runs SQL only through them or PERFORM/EXECUTE/QUERY. A body without any runs no SQL, and the
// PL/pgSQL parser (three times the cost of a plain parse) can be skipped.
const SQL_WORD =
  /\b(?:abort|alter|analy[sz]e|call|checkpoint|cluster|comment|copy|create|deallocate|delete|discard|do|drop|execute|explain|grant|import|insert|listen|load|lock|merge|notify|perform|prepare|query|reassign|refresh|reindex|reset|revoke|security|select|set|show|table|truncate|unlisten|update|vacuum|values|with)\b/i;

export function doBlock(stmt: Node, ctx: Context): RawFinding[] {
  const language = (option(stmt.args, "language")?.String?.sval as string | undefined)?.toLowerCase() ?? "plpgsql";
  const body = (option(stmt.args, "as")?.String?.sval as string | undefined) ?? "";
  if (language !== "plpgsql")
    return [
      unverifiable(
        "unverifiable-code",
        `Runs a DO block in ${language}, which Rollgate cannot read: whatever it does to the schema or the data goes unchecked.`,
      ),
    ];
  return plpgsql(body, ctx, null, true);
}

function functionLabel(stmt: Node): string {
  return `In the body of ${stmt.is_procedure ? "procedure" : "function"} ${nameParts(stmt.funcname).join(".")}`;
}

export function functionBody(stmt: Node, ctx: Context): RawFinding[] {
  // BEGIN ATOMIC … END and RETURN … bodies arrive parsed.
  if (stmt.sql_body) {
    for (const list of (stmt.sql_body.List?.items as Node[]) ?? [])
      for (const inner of (list.List?.items as Node[]) ?? [])
        for (const type in inner) ctx.inner(type, inner[type], functionLabel(stmt), false);
    return [];
  }
  const language = (option(stmt.options, "language")?.String?.sval as string | undefined)?.toLowerCase();
  const as = option(stmt.options, "as");
  const body = (as?.List?.items?.[0]?.String?.sval ?? as?.String?.sval) as string | undefined;
  if (body === undefined) return [];
  if (language === "sql") ctx.nested(body, functionLabel(stmt), false);
  else if (language === "plpgsql") return plpgsql(body, ctx, stmt, false);
  // Other languages (C, plpython…) are not run by CREATE: calling them is the app's business.
  return [];
}

/** `fn` is the CREATE FUNCTION statement, or null for a DO block. */
function plpgsql(body: string, ctx: Context, fn: Node | null, runs: boolean): RawFinding[] {
  if (!SQL_WORD.test(body)) return [];
  const label = fn ? functionLabel(fn) : "In a DO block";
  let tree: Node;
  try {
    tree = parsePlPgSQLSync(ctx.text()) as Node;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [
      unverifiable(
        "unverifiable-code",
        `${label}: the PL/pgSQL parser rejects the code (${reason}), so Rollgate cannot verify what it does.`,
      ),
    ];
  }
  const out: RawFinding[] = [];
  walk(tree, (query, dynamic) => {
    if (!dynamic) ctx.nested(query, label, runs);
    else {
      const literal = stringLiteral(query);
      if (literal === undefined)
        out.push(
          unverifiable(
            "dynamic-sql",
            `${label}: EXECUTE runs SQL built at run time (${query.length > 60 ? `${query.slice(0, 57)}…` : query}); Rollgate cannot verify dynamic SQL.`,
          ),
        );
      else ctx.nested(literal, `${label}, EXECUTE`, runs);
    }
  });
  return out;
}

/** SQL statements (parse mode 0) and the expressions EXECUTE turns into SQL, anywhere in a PL/pgSQL tree. */
function walk(node: unknown, visit: (query: string, dynamic: boolean) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node as Node)) {
    if (key === "PLpgSQL_expr") {
      if ((value as Node).parseMode === 0 || (value as Node).parseMode === undefined)
        visit((value as Node).query, false);
    } else if (key === "PLpgSQL_stmt_dynexecute" || key === "PLpgSQL_stmt_dynfors") {
      visit((value as Node).query?.PLpgSQL_expr?.query ?? "", true);
      walk({ ...(value as Node), query: undefined }, visit);
    } else if (key === "dynquery") visit((value as Node).PLpgSQL_expr?.query ?? "", true);
    else walk(value, visit);
  }
}

/** The text of a string-literal expression ('…', E'…', $$…$$, optionally cast), or undefined. */
function stringLiteral(expression: string): string | undefined {
  try {
    let value: Node | undefined = (parseSync(`SELECT ${expression}`).stmts?.[0]?.stmt as Node | undefined)?.SelectStmt
      ?.targetList?.[0]?.ResTarget?.val;
    while (value?.TypeCast) value = value.TypeCast.arg;
    return value?.A_Const?.sval?.sval as string | undefined;
  } catch {
    return undefined;
  }
}

/** EXPLAIN ANALYZE runs the statement it explains. */
export function explainAnalyze(stmt: Node, ctx: Context): RawFinding[] {
  if (optionOn(stmt.options, "analyze"))
    for (const type in stmt.query) ctx.inner(type, stmt.query[type], "In EXPLAIN ANALYZE", true);
  return [];
}

/** A prepared statement is there to be executed: judge it where it is written. */
export function prepared(stmt: Node, ctx: Context): RawFinding[] {
  for (const type in stmt.query) ctx.inner(type, stmt.query[type], `In prepared statement ${stmt.name}`, true);
  return [];
}

/** Rule actions run whenever the rule fires: judged like a function body. */
export function ruleActions(stmt: Node, ctx: Context): RawFinding[] {
  for (const action of (stmt.actions as Node[]) ?? [])
    for (const type in action) ctx.inner(type, action[type], `In rule ${stmt.rulename}`, false);
  return [];
}

const DATA_CHANGES = new Set(["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"]);

/**
 * Data changes nested in CTEs (of INSERT … SELECT, UPDATE … FROM, subqueries…), found at any
 * depth. The grammar admits a data change inside another statement only as a CTE, so a
 * statement whose text has no WITH has none, and the walk is skipped.
 */
export function nestedDataChanges(stmt: Node, ctx: Context): RawFinding[] {
  if (!/\bwith\b/i.test(ctx.text())) return [];
  const visit = (node: Node): void => {
    for (const key in node) {
      const value = node[key];
      if (value === null || typeof value !== "object") continue;
      // A nested data change is judged whole, its own CTEs included.
      if (DATA_CHANGES.has(key)) ctx.inner(key, value as Node, "In a CTE", true);
      else visit(value as Node);
    }
  };
  visit(stmt);
  return [];
}

/** COPY (DELETE … RETURNING …) TO … runs the data change it copies from. */
export function copyQuery(stmt: Node, ctx: Context): RawFinding[] {
  for (const type in stmt.query) if (DATA_CHANGES.has(type)) ctx.inner(type, stmt.query[type], "In COPY", true);
  return nestedDataChanges(stmt, ctx);
}
