import { parseSync } from "libpg-query";
import { loadSqlParser } from "../sql/analyse.ts";
import type { RehearsalStatement } from "./types.ts";

// A statements file for `rollgate rehearse --statements FILE`: one normalised statement a line,
// as pg_stat_statements prints them (`$1`… parameters). Blank lines and `--` comment lines are
// skipped. Every other line must be exactly one statement PostgreSQL's own parser (libpg-query)
// accepts, of at most MAX_STATEMENT_LENGTH characters; otherwise the file is refused, naming
// every bad line, and nothing is rehearsed.

/** The longest statement a line may hold (the `rollback.rehearsed` payload's bound). */
export const MAX_STATEMENT_LENGTH = 2000;

export interface StatementsFileError {
  /** 1-based line number. */
  line: number;
  reason: string;
}

export type StatementsFile =
  { ok: true; statements: RehearsalStatement[] } | { ok: false; errors: StatementsFileError[] };

/** Parses a statements file. Call `loadSqlParser()` first (or use `parseStatementsFile`). */
export function parseStatementsFileSync(text: string): StatementsFile {
  const statements: RehearsalStatement[] = [];
  const errors: StatementsFileError[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const statement = raw.trim();
    if (statement === "" || statement.startsWith("--")) return;
    if (statement.length > MAX_STATEMENT_LENGTH) {
      errors.push({
        line,
        reason: `${statement.length} characters, over the ${MAX_STATEMENT_LENGTH} a statement may hold`,
      });
      return;
    }
    const problem = oneStatement(statement);
    if (problem) errors.push({ line, reason: problem });
    else statements.push({ text: statement });
  });
  if (errors.length > 0) return { ok: false, errors };
  if (statements.length === 0)
    return { ok: false, errors: [{ line: 0, reason: "the file holds no statement (only blank or -- lines)" }] };
  return { ok: true, statements };
}

/** `parseStatementsFileSync` after loading the parser. */
export async function parseStatementsFile(text: string): Promise<StatementsFile> {
  await loadSqlParser();
  return parseStatementsFileSync(text);
}

/** One sentence naming the bad lines (the first few with their reasons). */
export function describeStatementsFileErrors(errors: StatementsFileError[], shown = 5): string {
  if (errors.length === 1 && errors[0]!.line === 0) return errors[0]!.reason;
  const lines = errors.map((e) => e.line);
  const head = errors
    .slice(0, shown)
    .map((e) => `line ${e.line}: ${e.reason}`)
    .join("; ");
  const more = errors.length > shown ? `; and ${errors.length - shown} more` : "";
  const which = lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.join(", ")}`;
  return `${which} ${lines.length === 1 ? "is not" : "are not"} one statement PostgreSQL parses (${head}${more}).`;
}

function oneStatement(text: string): string | null {
  let stmts: unknown[];
  try {
    stmts = parseSync(text).stmts ?? [];
  } catch (error) {
    return (error as Error).message;
  }
  if (stmts.length === 0) return "no statement";
  if (stmts.length > 1) return `${stmts.length} statements on one line`;
  return null;
}
