import type { RehearsalOutcome } from "../src/contract/rehearsal.ts";
import type { RehearsalReport, StatementRehearsal } from "../src/rehearsal/types.ts";

// Reports for tests of the rehearsal's decisions: one statement of each outcome, shaped as the engine reports it.

export function rehearsed(
  outcome: RehearsalOutcome,
  text: string,
  options: { calls?: number; message?: string; sqlstate?: string; step?: "prepare" | "execute"; write?: boolean } = {},
): StatementRehearsal {
  const failure = {
    message: options.message ?? `failed: ${text}`,
    step: options.step ?? "prepare",
    ...(options.sqlstate ? { sqlstate: options.sqlstate } : {}),
  };
  return {
    statement: { text, ...(options.calls === undefined ? {} : { calls: options.calls }) },
    write: options.write ?? /^(INSERT|UPDATE|DELETE|MERGE)/i.test(text),
    outcome,
    afterExpand: outcome === "noise" ? failure : null,
    afterContract: outcome === "proof" ? failure : null,
    ...(outcome === "unverifiable" ? { unverifiable: options.message ?? "needs the extension postgis" } : {}),
  };
}

export function report(statements: StatementRehearsal[], missingExtensions: string[] = []): RehearsalReport {
  return { statements, missingExtensions, durationMs: 12.4 };
}
