import type { EvidenceRows } from "./rows.ts";

// Events and leases: what a pipeline's signed requests may claim, and what a captured one can
// do again. Walked by `events.test.ts` through `leaseRequestReplay`/`leaseRequestProblems`
// (contract/lease-request.ts), `implausibleEventTimes` (lifecycle/event-time.ts), `applyEvent`,
// `evaluateGate` and `scriptThatRan`, and `contractStartRefusal` (lifecycle/contract-start.ts).
export const EVENTS_ROWS = {
  replayedLease: {
    who: "anyone who captured one signed lease request (a proxy or CI log)",
    attempt:
      "replays it byte for byte within the signature's five minutes, after its lease was voided, or on another rollout's path",
    answer:
      "409 `replayed`: a webhook-id is used once per token, whatever became of the first request (granted, voided or refused); a signed body naming another rollout than the path is a 400 (the CLI names its rollout in the body)",
  },
  eventFrom2100: {
    who: "a CI token for the environment",
    attempt:
      "any event with `occurred_at: 2100-01-01T00:00:00Z` (or before 2000, or an inspection whose server started in 2100)",
    answer:
      "400 naming `occurred_at` (or `data.server.started_at`, `data.statistics.stats_reset`), nothing recorded; times from 2000 to a day ahead of receipt are kept as information (flagged over a minute ahead or an hour behind)",
  },
  expandUnseen: {
    who: "a CI token for the environment",
    attempt: "`migration.started` for the expand with a checksum and no SQL, its text never registered",
    answer:
      "409 `expand_unseen`: it does not start; an expand that ran unseen leaves the gate's expand check unknown, never 'additive only' (break-glass cannot pass it), until its text arrives; a contract whose text Rollgate does not hold makes rollback eligibility UNKNOWN",
  },
  overrideWindow: {
    who: "a release manager who breaks glass",
    attempt:
      "overrides the rollback window (and SLOs), takes the lease and sends the contract's `migration.started` inside the window",
    answer:
      "both go through: one rule with the same overrides decides the lease and the event (an override never grants a lease whose contract is then refused); without it both refuse (`window_open`)",
  },
} satisfies EvidenceRows;
