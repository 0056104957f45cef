import type { EvidenceRows } from "./rows.ts";

// Rehearsals (issue 29): what a CI token could send as `rollback.rehearsed`, the rehearsal of the
// version a rollback would go back to against a contract script, and what Rollgate answers.
export const REHEARSAL_ROWS = {
  badPayload: {
    who: "a CI token for the environment",
    attempt:
      "a rehearsal whose counts do not add up (statements ≠ passed + noise + unverifiable + proofs), with fewer proofs counted than sent or over 100 proofs, a checksum that is not a SHA-256, or an unknown field",
    answer: "400 naming the field, nothing recorded",
  },
  otherChecksum: {
    who: "a CI token for the environment",
    attempt:
      "a clean rehearsal of another contract script (a harmless one, or an earlier draft), or of another version than the one a rollback goes back to",
    answer:
      "counts for nothing: eligibility reads a rehearsal only for the checksum of the contract script that ran, the gate only for the release's contract script and the previous deployed version; the check stays *pending* and eligibility unchanged",
  },
  madeUpClean: {
    who: "a CI token for the environment",
    attempt:
      "a made-up clean rehearsal of the right version and checksum, or a clean one sent after a real proof to hide it",
    answer:
      "a made-up clean one counts, like any report: Rollgate does not run the statements itself. It cannot hide a proof: the same version's statements against the same script cannot stop failing, so the newest rehearsal with a proof decides over every clean one (a fixed app is another version, a fixed contract another checksum). A clean one never overrules a name match: a version whose declared or observed manifest reads what the contract removed stays UNSAFE; every rehearsal stays on the timeline and in the audit chain",
  },
  breakGlass: {
    who: "a release manager who breaks glass",
    attempt: "overrides a failing or pending rehearsal check (names `rehearsal` among the checks to override)",
    answer:
      "refused (`forbidden`); an override that named it would not count: a proof shows the rollback path breaks, and a missing rehearsal is one offline command away. Where the policy does not require a rehearsal the check is informational and holds nothing",
  },
} satisfies EvidenceRows;
