import { overrideNeedsConfirmation } from "../access/decide.ts";
import { openChecks } from "../gate/open-checks.ts";
import type { GateVerdict } from "../gate/index.ts";
import type { Policy } from "../policy/index.ts";
import type { RolloutProjection, RolloutState } from "../types.ts";
import { contractStartRefusal, overriddenChecks } from "./contract-start.ts";

/** A live recovery authorisation of a failed rollout: the fix script it names, and whether a second person confirmed it. */
export interface RecoveryFact {
  id: string;
  fixName: string | null;
  fixChecksum: string | null;
  confirmedAt: Date | null;
}

/** What a lease request is decided on, read by the use case with the rollout's row locked. */
export interface LeaseRequestFacts {
  rollout: RolloutProjection;
  policy: Policy;
  productionLike: boolean;
  at: Date;
  /** The gate evaluated in the same transaction. */
  verdict: Pick<GateVerdict, "allowed" | "checks">;
  /** Who holds a live lease of the rollout, if anyone. */
  leaseHolder: string | null;
  /** The live recovery authorisation, read only where `awaitsRecovery` says it can apply. */
  recovery: RecoveryFact | null;
}

export type LeaseRefusalReason = "recovery_unconfirmed" | "lease_held" | "gate_closed" | "no_contract" | string;

/** A grant (which kind, for which script, and what the audit entry records of why) or a refusal that says what to do. */
export type LeaseDecision =
  | { grant: true; kind: "gate" | "recovery"; checksum: string; detail: Record<string, unknown> }
  | { grant: false; reason: LeaseRefusalReason; message: string };

const FAILED: readonly RolloutState[] = ["expand_failed", "contract_failed"];

/** A failed migration: a confirmed recovery authorisation may grant a lease for its fix instead of the gate. */
export function awaitsRecovery(state: RolloutState): boolean {
  return FAILED.includes(state);
}

/**
 * Whether a lease is granted, and for what. After a failed migration, a live recovery
 * authorisation with a fix script grants a recovery lease for exactly that script (confirmed by
 * a second person where the policy asks). Otherwise the gate must pass, the contract must be
 * one `migration.started` would accept (the same overrides waive the same conditions), and the
 * lease is bound to the contract script that was approved.
 */
export function decideLease(facts: LeaseRequestFacts): LeaseDecision {
  const { rollout, policy, verdict, recovery } = facts;
  if (awaitsRecovery(rollout.state) && recovery?.fixChecksum) {
    if (overrideNeedsConfirmation(policy, facts.productionLike) && !recovery.confirmedAt)
      return {
        grant: false,
        reason: "recovery_unconfirmed",
        message: "The recovery run is waiting for a second person to confirm it on the rollout page.",
      };
    if (facts.leaseHolder)
      return {
        grant: false,
        reason: "lease_held",
        message: `${facts.leaseHolder} already holds the lease for this rollout.`,
      };
    return {
      grant: true,
      kind: "recovery",
      checksum: recovery.fixChecksum,
      detail: { recoveryId: recovery.id, fix: recovery.fixName },
    };
  }
  if (!verdict.allowed)
    return {
      grant: false,
      reason: "gate_closed",
      message: `The gate is closed: ${openChecks(verdict.checks)
        .map((c) => c.message)
        .join(" ")}`,
    };
  // The rule migration.started applies, with the same overrides: a lease is never granted for a contract it would refuse.
  const refusal = contractStartRefusal(rollout, policy, facts.at, overriddenChecks(verdict.checks));
  if (refusal) return { grant: false, reason: refusal.code, message: refusal.message };
  const checksum = rollout.contractChecksum;
  if (!checksum) return { grant: false, reason: "no_contract", message: "There is no contract script to run." };
  return {
    grant: true,
    kind: "gate",
    checksum,
    detail: {
      checks: verdict.checks.map((c) => ({
        id: c.id,
        status: c.status,
        overridden: c.overridden ?? false,
        blocking: c.blocking ?? true,
        message: c.message,
      })),
    },
  };
}
