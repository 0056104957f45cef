// The audit chain: what the database's owner (who can disable the trigger and rewrite any row,
// but never holds the audit key) might do to it, and what the verifier answers
// (`access/audit-chain.ts`, shown on /admin/audit and in every evidence bundle).
import type { EvidenceRows } from "./rows.ts";

const OWNER = "the database owner";

export const AUDIT_ROWS = {
  downgradedPastRecord: {
    who: OWNER,
    attempt:
      "disables the trigger, edits an entry, sets every entry's `alg` to the legacy `sha256` and recomputes the chain",
    answer:
      'downgraded, at the entry the key record says was the first keyed one; never "intact, the first N predate keyed hashing"',
  },
  downgradedWithoutRecord: {
    who: OWNER,
    attempt: "does the same and deletes the key record too",
    answer:
      'downgraded: with no key record (nor `ROLLGATE_AUDIT_KEYED_FROM`) no unkeyed entry verifies; a missing record never reads as "all legacy"',
  },
  recordRemoved: {
    who: OWNER,
    attempt: "deletes the key record while keyed entries exist",
    answer:
      "broken while it is missing; the server writes it again (at start, or with the next entry) only when the chain's first entry is keyed, so it never comes back vouching for an unkeyed entry",
  },
  recordForged: {
    who: OWNER,
    attempt: "writes a key record that names a later entry as the first keyed one",
    answer: "broken: its MAC does not verify under the audit key, which the database never holds",
  },
  entryEdited: {
    who: OWNER,
    attempt: "edits an entry behind the disabled trigger",
    answer: "broken at that entry: its content does not match its keyed hash",
  },
  developmentKey: {
    who: "anyone who has read Rollgate's source",
    attempt:
      "computes the audit key of a server started with the development key (`ROLLGATE_ALLOW_DEV_SECRET_KEY=1`, no `ROLLGATE_SECRET_KEY` or `ROLLGATE_AUDIT_KEY`) and forges a chain that verifies",
    answer: "warned: an error line at every start and a warning on `/admin/audit` say the audit key is public",
  },
} satisfies EvidenceRows;
