import { hasSqlDetails, parseSync } from "libpg-query";
import { SourceMap } from "../sql/source-map.ts";

// Before a rehearsal starts, every script it applies (each migration, expand, contract) must parse:
// a syntax error is bad input, named by file and line, and nothing is rehearsed.

/** PostgreSQL's syntax error in a script and its line, or null when it parses. Call `loadSqlParser()` first. */
export function scriptSyntaxError(sql: string): { line: number; message: string } | null {
  try {
    parseSync(sql);
    return null;
  } catch (error) {
    const cursor = hasSqlDetails(error) ? (error.sqlDetails?.cursorPosition ?? 0) : 0;
    return { line: new SourceMap(sql).position(cursor).line, message: (error as Error).message };
  }
}
