export { applyEvent, type ApplyResult } from "./apply-event.ts";
export { contractStartRefusal, overriddenChecks } from "./contract-start.ts";
export { windowEndsAt } from "./window.ts";
export { eventEffects, leaseVoidedByNewScript, sameProjection, type EventEffects } from "./event-effects.ts";
export {
  awaitsRecovery,
  decideLease,
  type LeaseDecision,
  type LeaseRequestFacts,
  type RecoveryFact,
} from "./lease-grant.ts";
export {
  clockSkewSeconds,
  implausibleEventTimes,
  EARLIEST_EVENT_TIME,
  LATEST_EVENT_SECONDS_AHEAD,
} from "./event-time.ts";
export type { ContractLease, DomainEvent, HeldInspections, Rejection, RejectionCode } from "./events.ts";
export {
  EVENT_MAPPINGS,
  mapEvent,
  type Fact,
  type MappedEvent,
  type MappedRolloutEvent,
  type RolloutEventBody,
} from "./map-event.ts";

import type { RolloutProjection } from "../types.ts";

/** A rollout before any event: planned, nothing deployed. */
export function plannedRollout(
  releaseVersion: string,
  scripts: { expandChecksum?: string | null; contractChecksum?: string | null } = {},
): RolloutProjection {
  return {
    state: "planned",
    releaseVersion,
    currentVersion: null,
    deployedAt: null,
    flagPercent: 0,
    flagFullAt: null,
    windowStartedAt: null,
    lastRollbackAt: null,
    expandChecksum: scripts.expandChecksum ?? null,
    contractChecksum: scripts.contractChecksum ?? null,
  };
}
