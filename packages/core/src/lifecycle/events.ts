import type { Inspection } from "../contract/inspection.ts";
import type { GateCheckId } from "../gate/facts.ts";
import type { MigrationPhase } from "../types.ts";

/** A rollout event as the lifecycle sees it: already authenticated, parsed and enriched
 * by the server with what only it can know (the analyser's verdict, the lease's validity). */
export type DomainEvent =
  | { type: "release.created"; occurredAt: Date }
  | {
      type: "migration.started";
      occurredAt: Date;
      phase: MigrationPhase;
      name: string;
      checksum: string;
      /** Contract-category findings of the analyser in this script (expand only); null: the server never saw its text, so nothing is known. */
      destructiveFindings?: number | null;
      /** Contract, and a recovery run after a failure: the lease the event names, as the server found it. */
      lease?: ContractLease;
    }
  | {
      type: "migration.succeeded" | "migration.failed";
      occurredAt: Date;
      phase: MigrationPhase;
      name: string;
      checksum: string;
    }
  | { type: "app.deployed" | "app.rolled_back"; occurredAt: Date; version: string; manifest?: string[] | null }
  | { type: "flag.changed"; occurredAt: Date; percent: number }
  | { type: "slo.snapshot" | "backup.verified"; occurredAt: Date }
  | {
      type: "database.inspected";
      occurredAt: Date;
      /** The inspected database's clock and identity, as the summary carries them. */
      server?: Inspection["server"];
      /** What the server holds of the same database (added inside the rollout's transaction). */
      held?: HeldInspections;
    };

/** What Rollgate holds of the same database, from the newest inspection as new as the incoming one. */
export interface HeldInspections {
  /** The newest database clock held of this database that is not older than the incoming one; null when none is. */
  newestTakenAt: Date | null;
  /** One with exactly the incoming clock is held: the same summary again. */
  sameTakenAt: boolean;
}

/** What the server knows about the lease a `migration.started` names. */
export interface ContractLease {
  /** The live lease of the rollout whose id the event names; null when there is none. */
  held: { kind: "gate" | "recovery"; tokenId: string | null; checksum: string | null } | null;
  /** The token that sent the event: a lease is used only by the token that took it. */
  senderTokenId: string | null;
  /** The gate as re-evaluated inside the transaction that starts the contract (its own lease excluded), with
   * the checks a live break-glass override lets through (`contractStartRefusal` reads them as the lease did). */
  gate: { allowed: boolean; failing: string[]; overridden?: readonly GateCheckId[] };
}

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
