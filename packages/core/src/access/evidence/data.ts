import type { EvidenceRows } from "./rows.ts";

// Data checks and backfills (issue 28): what a CI token could declare or report about the data a
// contract would drop, and who may steer a running backfill, and what Rollgate answers.
export const DATA_ROWS = {
  notReadOnly: {
    who: "a CI token for the environment",
    attempt:
      "a data check (in `release.created`, `rollgate inspect --checks` or `backfill.started`) that is not one read-only `SELECT`: a `DELETE`, two statements, `SELECT … FOR UPDATE`, `SELECT INTO`, a data-modifying `WITH`, a function that acts outside the table data (`pg_terminate_backend`, `nextval`, `dblink`, …)",
    answer:
      "400 naming each refused check and why (libpg-query), before anything is recorded; `rollgate inspect` checks each again before it runs it in a `READ ONLY` transaction",
  },
  changedAfterContract: {
    who: "a CI token for the environment",
    attempt: "changes the SQL of a declared check, or withdraws it, after the contract started",
    answer:
      "409 `script_locked` naming the check: the whole event is refused and the check the contract ran under stays. Before the contract a changed text is stored under its new checksum, earlier runs stop counting, and the check is *pending* until a run of the new text",
  },
  otherSource: {
    who: "a CI token for the environment",
    attempt:
      "declares a check under a name another source declared first (a backfill's own check in `release.created`, the release's in `rollgate inspect --checks` or `backfill.started`), or re-sends `release.created` without a backfill's check",
    answer:
      "409 `data_check_conflict`: a name belongs to the source that declared it first; `release.created` withdraws only the release's own checks, so the backfill's check stays",
  },
  madeUpResult: {
    who: "a CI token for the environment",
    attempt:
      "a `database.inspected` whose data check results say 0 rows, or a run received before the rollback window started or older than the policy's maximum age",
    answer:
      "a made-up zero counts: a result is a report like any inspection, pinned to the checksum of the declared SQL, and Rollgate holds no database credentials to run it itself. A run from before the window or too old does not: the check is *pending*",
  },
  breakGlass: {
    who: "a release manager who breaks glass",
    attempt: "overrides a failing or pending 'Data is carried over' (names it among the checks to override)",
    answer:
      "refused (`forbidden`): break-glass may override the window, flag, SLO, backup, promotion and no-go only; an override that named it would not count: the gate stays closed and the lease is refused (`gate_closed`)",
  },
  forgedFinished: {
    who: "a CI token for the environment",
    attempt: "`backfill.finished` for a backfill that did not finish (or never started)",
    answer:
      "the panel shows it finished (a report like any event), and a run still going keeps its control `run` but can no longer be paused or cancelled from the dashboard (a firing no-go still holds it). The gate reads no backfill event: 'Data is carried over' decides from the newest run of the backfill's own check (the rows still matching its `--where`), *pending* without one since the window started, failing while it finds rows",
  },
  lateProgress: {
    who: "a CI token for the environment, or a run's report received late",
    attempt:
      "`backfill.progress`, `paused`, `failed` or a new `started` after `backfill.finished`; anything after the backfill was cancelled",
    answer:
      "changes nothing: finished and cancelled are final; a failed backfill moves only on a new `backfill.started` (a run resumed from its checkpoint)",
  },
  forgedControl: {
    who: "a viewer, an approver, or another service's release manager",
    attempt: "posts the Pause, Resume or Cancel form for a backfill (no buttons are shown to them)",
    answer:
      "refused, nothing recorded or audited: only the service's release managers and on-call engineers (and admins) control its backfills (`mayControlBackfill`)",
  },
  resumeCancelled: {
    who: "the service's release manager or on-call engineer",
    attempt:
      "resumes a cancelled backfill (or one whose Cancel was pressed and not yet obeyed), or pauses or cancels one that finished or failed",
    answer:
      "refused (conflict), nothing changes: a cancel is final; `rollgate backfill` again starts a new backfill that goes on from the checkpoint",
  },
} satisfies EvidenceRows;
