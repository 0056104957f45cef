import type { RemovedObject } from "../types.ts";
import type { RawFinding } from "../types.ts";

/** `object` names what rollback eligibility must know was removed or changed. */
export function contract(rule: string, message: string, suggestion: string, object?: RemovedObject): RawFinding {
  return object
    ? { rule, category: "contract", message, suggestion, object }
    : { rule, category: "contract", message, suggestion };
}

export function locking(rule: string, message: string, suggestion: string): RawFinding {
  return { rule, category: "locking", message, suggestion };
}

export function notIdempotent(rule: string, message: string, suggestion: string): RawFinding {
  return { rule, category: "non_idempotent", message, suggestion };
}

/** What a new PostgreSQL version brings must not pass as safe before someone has classified it. */
export function unclassified(what: string): RawFinding {
  return contract(
    "unclassified-statement",
    `Rollgate cannot classify this statement (${what}): it may break older app versions or block traffic, and nothing checked it.`,
    "Review it by hand and run it in a contract script, or report it so Rollgate learns it.",
  );
}

/** Code Rollgate cannot read runs with the same rights as the rest of the script. */
export function unverifiable(rule: "dynamic-sql" | "unverifiable-code", message: string): RawFinding {
  return contract(
    rule,
    message,
    rule === "dynamic-sql"
      ? "Write the statement out literally (or EXECUTE a string literal), so it can be checked; otherwise run it in a contract script."
      : "Write the code so PostgreSQL's parser accepts it, or run it in a contract script after reviewing it by hand.",
  );
}
