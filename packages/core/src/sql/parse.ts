import { hasSqlDetails, parseSync } from "libpg-query";
import { SourceMap } from "./source-map.ts";
import type { Node } from "./types.ts";

// A script split into its statements by PostgreSQL's own parser (libpg-query), each with its
// text and 1-based line, for callers that run statements one at a time (the rehearsal engine)
// and must name the line of the one that fails. Call `loadSqlParser()` once first.

export interface ScriptStatement {
  /** The parse node type, e.g. `CreateStmt`. */
  type: string;
  node: Node;
  /** The statement's own text, without the separating semicolon. */
  text: string;
  /** 1-based line of the statement's first token. */
  line: number;
}

/** A script PostgreSQL's parser refuses: its message and where (1-based). */
export class SqlSyntaxError extends Error {
  override readonly name = "SqlSyntaxError";
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Splits a script into its statements; throws SqlSyntaxError with the line and column. */
export function parseScriptSync(sql: string): ScriptStatement[] {
  const source = new SourceMap(sql);
  // Only blanks and comments: no statement (the parser calls that an error).
  if (source.firstToken(0) >= sql.length) return [];
  let stmts: Node[];
  try {
    stmts = parseSync(sql).stmts ?? [];
  } catch (error) {
    const cursor = hasSqlDetails(error) ? (error.sqlDetails?.cursorPosition ?? 0) : 0;
    const { line, column } = source.position(source.charOffset(cursor));
    throw new SqlSyntaxError(error instanceof Error ? error.message : String(error), line, column);
  }
  return stmts.map((raw: Node) => {
    const type = Object.keys(raw.stmt ?? {})[0] ?? "unknown";
    const start = (raw.stmt_location as number | undefined) ?? 0;
    const text = source.slice(start, (raw.stmt_len as number | undefined) ?? 0);
    const { line } = source.position(source.firstToken(source.charOffset(start)));
    return { type, node: raw.stmt?.[type] as Node, text: text.trim(), line };
  });
}
