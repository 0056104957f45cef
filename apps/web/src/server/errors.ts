import "server-only";
import { log } from "@rollgate/log";
import { json } from "./api/bodies";
import type { ErrorResponse } from "@rollgate/core/contract/responses";
import { AppError } from "@rollgate/app/errors";

export { AppError, type AppErrorCode } from "@rollgate/app/errors";

/** The JSON error body machines get: `{ error: { code, message, details } }`. */
export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) {
    return json(
      {
        error: {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      } satisfies ErrorResponse,
      { status: error.status, headers: error.headers },
    );
  }
  logError("unhandled error", error);
  return json(
    {
      error: { code: "internal", message: "Rollgate could not complete the request; it has been logged." },
    } satisfies ErrorResponse,
    { status: 500 },
  );
}

/**
 * Logs an unexpected error without the data it carried. Drizzle's query errors put the SQL
 * and every parameter in their message (event payloads, token hashes, encrypted secrets);
 * PostgreSQL puts values in `detail`, `where` and quoted parts of some messages. What is
 * logged is the SQLSTATE, the constraint/table/column names, the message with quoted text
 * elided, and stack frames (without the message line that heads a stack).
 */
export function logError(context: string, error: unknown): void {
  log().error({ error: describeError(error) }, context);
}

type Described = Record<string, string | number | undefined>;

export function describeError(error: unknown): Described[] {
  const chain: Described[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    chain.push(describeOne(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function describeOne(error: unknown): Described {
  if (!(error instanceof Error)) return { kind: typeof error };
  const e = error as Error & Record<string, unknown>;
  const text = (key: string) => (typeof e[key] === "string" ? (e[key] as string) : undefined);
  const frames =
    (e.stack ?? "")
      .split("\n")
      .filter((line) => /^\s+at /.test(line))
      .slice(0, 8)
      .join("\n") || undefined;
  // A PostgreSQL error (postgres.js's PostgresError or PGlite's DatabaseError).
  if (typeof e.severity === "string" && typeof e.code === "string") {
    return {
      kind: "database",
      code: e.code,
      severity: e.severity,
      message: elideQuoted(e.message),
      constraint: text("constraint_name") ?? text("constraint"),
      table: text("table_name") ?? text("table"),
      column: text("column_name") ?? text("column"),
      routine: text("routine"),
      stack: frames,
    };
  }
  // Drizzle's wrapper: its message is the query and its parameters; the cause says what failed.
  if ("params" in e && "query" in e) return { kind: "query failed", name: e.name, stack: frames };
  return {
    kind: "error",
    name: e.name,
    code: typeof e.code === "string" ? e.code : undefined,
    message: e.message,
    stack: frames,
  };
}

/** PostgreSQL quotes both names and values ("invalid input syntax for type uuid: \"…\""). */
const elideQuoted = (message: string) => message.replace(/"(?:[^"]|"")*"/g, '"…"');
