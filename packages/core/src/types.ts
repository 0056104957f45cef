// Shared domain vocabulary. Plain data only: every timestamp is a Date passed in by the
// caller, never read from a clock here.

/** Stored and displayed rollout states; the transitions between them are `applyEvent`
 * (lifecycle/apply-event.ts). `contract_ready` is never stored: it is what the dashboard
 * shows for `verifying` when the gate passes. */
export const ROLLOUT_STATES = [
  "planned",
  "expanding",
  "expanded",
  "rolling_out",
  "verifying",
  "contract_ready",
  "contracting",
  "contracted",
  "expand_failed",
  "rolled_back",
  "contract_failed",
] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export type MigrationPhase = "expand" | "contract";

export const ROLES = ["viewer", "on_call", "approver", "release_manager", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const API_SCOPES = ["events:write", "gate:read", "gate:lease"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** The projection of one rollout (release × environment) that events move forward.
 * Mirrors the columns of the `rollouts` table in @rollgate/db. */
export interface RolloutProjection {
  state: RolloutState;
  /** App version this release ships. */
  releaseVersion: string;
  /** Version currently running in the environment, as last reported. */
  currentVersion: string | null;
  deployedAt: Date | null;
  flagPercent: number;
  /** When the flag last reached 100 % (null while below). */
  flagFullAt: Date | null;
  /** Start of the rollback window: the later of deploy and flag at 100 %; null when not running. */
  windowStartedAt: Date | null;
  lastRollbackAt: Date | null;
  expandChecksum: string | null;
  contractChecksum: string | null;
}
