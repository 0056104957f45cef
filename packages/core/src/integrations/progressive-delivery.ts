import type { GateCheck, GateCheckId } from "../gate/facts.ts";
import type { Verdict } from "../eligibility/index.ts";

// What progressive-delivery controllers read from Rollgate. Argo Rollouts' `web` metric
// evaluates conditions over a JSON result; Flagger's webhooks read only the status code
// (2xx proceeds). Both only read: nothing here changes a rollout.

export const FLAGGER_HOOKS = ["pre-rollout", "confirm-promotion", "rollback"] as const;
export type FlaggerHook = (typeof FLAGGER_HOOKS)[number];

export interface GateView {
  allowed: boolean;
  state: string;
  checks: Array<Pick<GateCheck, "id" | "status" | "message" | "overridden">>;
}

export interface Decision {
  /** Flagger: 200 when true, 403 when false. */
  allow: boolean;
  reason: string;
}

// Checks that speak about the app release itself; the others (window, backup, approvals,
// promotion order, lease) speak about the contract, which comes after the app is promoted.
const RELEASE_HEALTH: GateCheckId[] = ["expand", "flag", "slo", "no_go"];
const BAD_RELEASE: GateCheckId[] = ["slo", "no_go"];

const open = (gate: GateView) => gate.checks.filter((c) => c.status !== "pass" && !c.overridden);
const list = (checks: GateView["checks"]) => checks.map((c) => `${c.id}: ${c.message}`).join(" ");

/**
 * - pre-rollout: the new version may take traffic once its expand migration succeeded
 *   (it reads the new schema) and no no-go (freeze, incident) stands.
 * - confirm-promotion: promote unless the release itself is failing (expand, a rollback
 *   recorded, an SLO breach, a no-go). The contract gate waits for the window *after*
 *   promotion, so it cannot hold promotion.
 * - rollback: 200 tells Flagger to roll back. Only when Rollgate holds evidence against the
 *   release (an SLO breach or a no-go) and rolling back is not known to be data-unsafe.
 */
export function flaggerDecision(
  hook: FlaggerHook,
  gate: GateView,
  rollback?: { verdict: Verdict; version: string; reason: string },
): Decision {
  const failing = open(gate).filter((c) => c.status === "fail");
  if (hook === "pre-rollout") {
    const blocking = open(gate).filter((c) => c.id === "expand" || (c.id === "no_go" && c.status === "fail"));
    return blocking.length
      ? { allow: false, reason: `Hold the rollout: ${list(blocking)}` }
      : { allow: true, reason: "The expand migration succeeded and no no-go stands." };
  }
  if (hook === "confirm-promotion") {
    const blocking = failing.filter((c) => RELEASE_HEALTH.includes(c.id));
    return blocking.length
      ? { allow: false, reason: `Hold the promotion: ${list(blocking)}` }
      : { allow: true, reason: "No failing check speaks against this release." };
  }
  const evidence = failing.filter((c) => BAD_RELEASE.includes(c.id));
  if (evidence.length === 0)
    return { allow: false, reason: "No SLO breach or no-go recorded for this rollout: no rollback requested." };
  if (rollback?.verdict === "UNSAFE")
    return {
      allow: false,
      reason: `Rolling back to ${rollback.version} is UNSAFE (${rollback.reason}); roll forward. Evidence: ${list(evidence)}`,
    };
  return {
    allow: true,
    reason: `Roll back: ${list(evidence)}${rollback ? ` Rolling back to ${rollback.version} is ${rollback.verdict}.` : ""}`,
  };
}

/** Argo's `web` metric result for the contract gate: `result.allowed == true` passes. */
export function argoGateResult(gate: GateView) {
  const pending = open(gate).filter((c) => c.status === "pending");
  const failing = open(gate).filter((c) => c.status === "fail");
  return {
    allowed: gate.allowed,
    state: gate.state,
    verdict: (gate.allowed ? "ALLOWED" : failing.length ? "DENIED" : "WAITING") as "ALLOWED" | "DENIED" | "WAITING",
    failing: failing.map((c) => ({ id: c.id, message: c.message })),
    pending: pending.map((c) => ({ id: c.id, message: c.message })),
  };
}

/** What an error answer carries in `result`, so that every documented condition is false. */
export const ARGO_ERROR_RESULT = { allowed: false, verdict: "UNKNOWN" } as const;
