import type { EvidenceRows } from "./rows.ts";

// Inspections (`database.inspected`, issue 26 findings 5 and 17): what a CI token or the
// database's owner could make the usage check believe, and what Rollgate answers.
export const INSPECTIONS_ROWS = {
  evicted: {
    who: "the database (pg_stat_statements full) or its owner",
    attempt:
      "a statement that failed the usage check is evicted (`dealloc` grows) or reset on its own before the next inspection",
    answer: "usage check *unknown* (a statement seen earlier is gone, or `dealloc` changed), never pass",
  },
  resent: {
    who: "a CI token",
    attempt: "the window-start inspection sent again, byte for byte, as the recent one",
    answer: "409 `inspection_repeated` (same database, same `now()`), nothing stored; the check would be *unknown*",
  },
  older: {
    who: "a CI token",
    attempt: "an inspection taken before the newest one Rollgate holds of that database, sent late",
    answer: "409 `inspection_older` (by the database's own clock), nothing stored",
  },
  reset: {
    who: "the database owner",
    attempt: "`pg_stat_statements_reset()` or a server restart between the two inspections",
    answer: "usage check *unknown* (`stats_reset` or `pg_postmaster_start_time()` changed), never pass",
  },
  otherDatabase: {
    who: "a CI token",
    attempt: "a recent inspection of another database cluster than the window-start one",
    answer: "usage check *unknown* (another `system_identifier`), never pass",
  },
  workload: {
    who: "a CI token",
    attempt:
      "a `workload` that makes up statements for the deployed version, or leaves its statements out (issue 29: what `rollgate rehearse --version` replays)",
    answer:
      "kept as reported, as the usage map is: Rollgate holds no credentials to read `pg_stat_statements` itself. A made-up statement can only add a failure to a rehearsal; a withheld one hides one. Only the growth between two inspections with no deploy, restart, reset or eviction in between counts, and `complete` says when statements were left out",
  },
  otherRollout: {
    who: "a CI token for another release",
    attempt: "that release's window-start inspection, received within ten minutes before this window's start",
    answer: "not this rollout's baseline: the check waits for its own window-start inspection",
  },
} satisfies EvidenceRows;
