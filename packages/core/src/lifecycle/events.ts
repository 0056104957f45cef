import type { EventMapping, Optionals, RolloutEventType } from "../contract/events.ts";

export type { ContractLease, HeldInspections } from "./event-facts.ts";

/** A rollout event as the lifecycle sees it: already authenticated, parsed and enriched by the
 * server with what only it can know (the analyser's verdict, the lease's validity). One member per
 * rollout event type, its fields those its mapping gives (`EVENTS` in `contract/events.ts`). */
export type DomainEvent = {
  [K in RolloutEventType]: Optionals<{ type: K; occurredAt: Date } & EventMapping<K>["event"]>;
}[RolloutEventType];

export type RejectionCode =
  | "destructive_expand"
  | "expand_unseen"
  | "expand_running"
  | "expand_already_succeeded"
  | "expand_not_done"
  | "checksum_mismatch"
  | "not_running"
  | "nothing_deployed"
  | "not_rolled_out"
  | "app_rolled_back"
  | "window_open"
  | "lease_required"
  | "lease_other_token"
  | "lease_script_mismatch"
  | "gate_closed"
  | "contract_started"
  | "rollout_finished"
  /** An inspection of a database that is not newer than the newest one held of it (core/inspect/admit.ts). */
  | "inspection_repeated"
  | "inspection_older"
  | "inspection_clock_ahead";

export interface Rejection {
  code: RejectionCode;
  message: string;
}
