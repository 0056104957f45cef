import type { MigrationPhase, RolloutProjection } from "../types.ts";
import type { ApplyResult } from "./apply-event.ts";
import type { DomainEvent, Rejection } from "./events.ts";
import type { MappedRolloutEvent } from "./map-event.ts";

/**
 * What an event the lifecycle has judged changes besides its own record, for the ingest to
 * apply in the event's transaction. A refused event voids the lease it presented where the
 * lease was misused; an accepted one saves the projection if it moved, makes a recovery's fix
 * the rollout's script, keeps the expand text it carried, is chained in the audit log when it
 * changed something (or always is, or came with a far-off clock), and announces the end of a
 * contract.
 */
export type EventEffects =
  | {
      accepted: false;
      rejection: Rejection;
      /** The reason recorded on the rollout's live leases, which become void; null: they stay. */
      voidLeases: string | null;
    }
  | {
      accepted: true;
      /** The rollout after the event. */
      rollout: RolloutProjection;
      /** The projection moved: it is saved. */
      changed: boolean;
      /** A recovery run started: its fix becomes the rollout's script of this phase. */
      adoptFix: MigrationPhase | null;
      /** The expand's text came with its `migration.started`: kept where the rollout holds none. */
      keepExpandText: string | null;
      /** The contract's outcome ends its lease. */
      endLeases: "succeeded" | "failed" | null;
      /** Chained in the audit log (`rollout.<type>`). */
      audited: boolean;
      /** The contract ended: announced. */
      contractEnded: "contract.succeeded" | "contract.failed" | null;
    };

/** Refusals that mean the presented lease was misused: it was granted for what was approved, by whom it was granted. */
const VOIDING = new Set(["lease_script_mismatch", "lease_other_token"]);

export function eventEffects(input: {
  mapped: MappedRolloutEvent;
  /** The event with the server's facts (the lease it names). */
  event: DomainEvent;
  before: RolloutProjection;
  result: ApplyResult;
  clockSkewSeconds: number | null;
}): EventEffects {
  const { mapped, event, result } = input;
  if (!result.ok)
    return {
      accepted: false,
      rejection: result.rejection,
      voidLeases: VOIDING.has(result.rejection.code) ? `void: ${result.rejection.code}` : null,
    };
  const changed = !sameProjection(input.before, result.rollout);
  const recovery = event.type === "migration.started" && event.lease?.held?.kind === "recovery";
  const { body } = mapped;
  const expandText =
    !recovery && body.type === "migration.started" && body.data.phase === "expand" ? (body.data.sql ?? null) : null;
  const outcome =
    (event.type === "migration.succeeded" || event.type === "migration.failed") && event.phase === "contract"
      ? event.type === "migration.succeeded"
        ? ("succeeded" as const)
        : ("failed" as const)
      : null;
  return {
    accepted: true,
    rollout: result.rollout,
    changed,
    adoptFix: recovery ? event.phase : null,
    keepExpandText: expandText,
    audited: changed || mapped.alwaysAudited || input.clockSkewSeconds !== null,
    endLeases: outcome,
    contractEnded: outcome && changed ? (`contract.${outcome}` as const) : null,
  };
}

/** A new contract script voids a live lease granted for another one: no lease for the old script may run the new. */
export function leaseVoidedByNewScript(
  live: { checksum: string | null } | null,
  contractChecksum: string | null,
): string | null {
  return live && live.checksum !== contractChecksum ? "void: script_changed" : null;
}

export function sameProjection(a: RolloutProjection, b: RolloutProjection): boolean {
  return (Object.keys(a) as Array<keyof RolloutProjection>).every((k) => {
    const x = a[k];
    const y = b[k];
    return x instanceof Date && y instanceof Date ? x.getTime() === y.getTime() : x === y;
  });
}
