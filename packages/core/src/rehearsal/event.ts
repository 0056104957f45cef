import { createHash } from "node:crypto";
import { rollbackRehearsedSchema, type RehearsalProof, type RollbackRehearsed } from "../contract/rehearsal.ts";
import type { RehearsalReport, StatementRehearsal } from "./types.ts";
import { rehearsalCounts } from "./verdict.ts";

// The `data` of a `rollback.rehearsed` event built from a report: the counts, the proofs (at most
// MAX_PROOFS, `proof_count` the true count) and the contract's checksum, so that a rehearsal is
// only ever taken for the script it was run against.

export const MAX_PROOFS = 100;
const MAX_ERROR = 1000;
const MAX_STATEMENT = 2000;

/** The SHA-256 of the contract script's text, in hex (what `migration.started` names a script by). */
export function contractChecksum(contract: string): string {
  return createHash("sha256").update(contract, "utf8").digest("hex");
}

export function rollbackRehearsedData(
  report: RehearsalReport,
  options: { version: string; contract: string; source: "observed" | "file" },
): RollbackRehearsed {
  const counts = rehearsalCounts(report);
  const proofs = report.statements.filter((s) => s.outcome === "proof");
  return rollbackRehearsedSchema.parse({
    version: options.version,
    contract_checksum: contractChecksum(options.contract),
    source: options.source,
    statements: counts.statements,
    passed: counts.passed,
    noise: counts.noise,
    unverifiable: counts.unverifiable,
    proofs: proofs.slice(0, MAX_PROOFS).map(proofOf),
    proof_count: proofs.length,
  });
}

function proofOf(s: StatementRehearsal): RehearsalProof {
  const failure = s.afterContract;
  const proof: RehearsalProof = {
    statement: clip(s.statement.text, MAX_STATEMENT),
    error: clip(failure?.message || "failed after the contract", MAX_ERROR),
    step: failure?.step ?? "prepare",
  };
  if (failure?.sqlstate && /^[0-9A-Z]{5}$/.test(failure.sqlstate)) proof.sqlstate = failure.sqlstate;
  if (s.statement.calls !== undefined && Number.isSafeInteger(s.statement.calls) && s.statement.calls >= 0)
    proof.calls = s.statement.calls;
  return proof;
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
