import type { GateCheckId } from "../gate/facts.ts";

// What only the server knows about an event, added to its domain event inside the rollout's
// transaction (`@rollgate/app`'s events/server-facts.ts); the event type registry
// (`contract/events.ts`) names which types carry them.

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
