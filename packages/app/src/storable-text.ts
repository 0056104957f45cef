import { findUnstorableText } from "@rollgate/core/contract/storable-text";
import { AppError } from "./errors";

/**
 * Refuses text PostgreSQL cannot store (a NUL, a lone surrogate) anywhere in `value`, keys
 * included, with a 400 that names each field; `where` prefixes the paths ("query", "path").
 */
export function assertStorableText(value: unknown, where?: string): void {
  const problems = findUnstorableText(value, { prefix: where });
  if (problems.length === 0) return;
  throw new AppError("invalid_request", `${listPaths(problems)}: ${problems[0]!.message}; remove it.`, problems);
}

/** The first few field paths of a list of problems, for a message a person reads. */
export function listPaths(details: Array<{ path: string }>): string {
  const shown = details.slice(0, 5).map((d) => d.path || "the body");
  return details.length > shown.length
    ? `${shown.join(", ")} and ${details.length - shown.length} more`
    : shown.join(", ");
}
