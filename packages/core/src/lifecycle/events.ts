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
      /** Contract-category findings of the analyser in this script (expand only). */
      destructiveFindings?: number;
      /** Whether the event names a lease that the gate granted and that is still live (contract only). */
      leaseValid?: boolean;
    }
  | { type: "migration.succeeded" | "migration.failed"; occurredAt: Date; phase: MigrationPhase; name: string; checksum: string }
  | { type: "app.deployed" | "app.rolled_back"; occurredAt: Date; version: string; manifest?: string[] | null }
  | { type: "flag.changed"; occurredAt: Date; percent: number }
  | { type: "slo.snapshot" | "backup.verified"; occurredAt: Date };

export type RejectionCode =
  | "destructive_expand"
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
  | "contract_started"
  | "rollout_finished";

export interface Rejection {
  code: RejectionCode;
  message: string;
}
