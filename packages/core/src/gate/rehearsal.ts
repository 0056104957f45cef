import { proofText, type RehearsalFact } from "../eligibility/index.ts";
import { utcText } from "../format.ts";
import type { Policy } from "../policy/index.ts";
import type { GateCheck, RehearsalGateFact } from "./facts.ts";

// "The previous version was rehearsed against the contract": the version a rollback would go
// back to (the newest other version deployed in this environment) had its statements rehearsed
// (`rollgate rehearse`, sent as `rollback.rehearsed`) against this release's contract script, by
// checksum, and no statement failed. Blocking only where the policy says `requireRehearsal`;
// otherwise shown (informational), so a proof is seen even where nobody asked for one.
// Break-glass never overrides it (it is not in OVERRIDABLE_CHECKS): a proof is not a risk but a
// demonstration that the rollback path breaks, and a missing rehearsal takes one offline command
// (PGlite, no server) to produce; a team that cannot wait changes the policy, which is audited.

const TITLE = "The previous version was rehearsed against the contract";

/** The proofs shown in the gate's evidence (the eligibility page shows every proof sent). */
const SHOWN_PROOFS = 5;

export function rehearsalCheck(
  fact: RehearsalGateFact | undefined,
  contractChecksum: string | null,
  policy: Policy,
): GateCheck {
  const base = { id: "rehearsal" as const, title: TITLE, blocking: policy.requireRehearsal === true };
  const why = base.blocking ? "" : " (informational: the policy does not require a rehearsal)";
  if (!contractChecksum)
    return {
      ...base,
      status: "pending",
      message: `No contract script is registered for this release, so there is nothing to rehearse against; send contract_sql in release.created${why}.`,
    };
  const short = `${contractChecksum.slice(0, 12)}…`;
  if (fact && fact.previousVersion === null)
    return {
      ...base,
      status: "pass",
      message: "No earlier version was deployed to this environment, so there is no version to roll back to.",
    };
  const previous = fact?.previousVersion ?? "the previous version";
  // The loader reads only this version's rehearsals of this checksum; anything else proves nothing.
  const r: RehearsalFact | null =
    fact?.newest && fact.newest.version === previous && fact.newest.contractChecksum === contractChecksum
      ? fact.newest
      : null;
  if (!r)
    return {
      ...base,
      status: "pending",
      message: `No rehearsal of ${previous} against this release's contract script (SHA-256 ${short}) was received; run rollgate rehearse --version ${previous} with a token${why}.`,
    };
  const details = {
    kind: "rehearsal" as const,
    version: r.version,
    contractChecksum: r.contractChecksum,
    receivedAt: r.receivedAt,
    source: r.source,
    statements: r.statements,
    passed: r.passed,
    noise: r.noise,
    unverifiable: r.unverifiable,
    proofCount: r.proofCount,
    proofs: r.proofs.slice(0, SHOWN_PROOFS),
  };
  const out = (status: GateCheck["status"], message: string): GateCheck => ({ ...base, status, message, details });
  const proofs = Math.max(r.proofCount, r.proofs.length);
  if (proofs > 0) {
    const first = r.proofs[0];
    return out(
      "fail",
      `Rehearsing ${previous} against this contract script (${utcText(r.receivedAt)}) found ${proofs} statement(s) that work after expand and fail after the contract${first ? `, e.g. ${proofText(first)}` : ""}. After the contract, rolling back to ${previous} would break it: change the contract, or rehearse a fixed ${previous} again${why}.`,
    );
  }
  if (r.passed === 0)
    return out(
      "pending",
      `The rehearsal of ${previous} (${utcText(r.receivedAt)}) passed no statement (${r.unverifiable} unverifiable, ${r.noise} already failing after expand), so it proves nothing; rehearse with statements the version runs${why}.`,
    );
  return out(
    "pass",
    `${r.passed} of ${r.statements} statement(s) of ${previous} passed against this contract script (rehearsed ${utcText(r.receivedAt)}), no proof${r.unverifiable ? `; ${r.unverifiable} could not be verified` : ""}${r.noise ? `; ${r.noise} already failed after expand` : ""}.`,
  );
}
