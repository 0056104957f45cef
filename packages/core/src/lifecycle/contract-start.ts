import { utcText } from "../format.ts";
import type { GateCheckId } from "../gate/facts.ts";
import type { Policy } from "../policy/index.ts";
import type { RolloutProjection, RolloutState } from "../types.ts";
import type { Rejection } from "./events.ts";
import { windowEndsAt } from "./window.ts";

const AFTER_EXPAND: RolloutState[] = ["expanded", "rolling_out", "verifying", "rolled_back"];

/**
 * What the rollout's state says about starting its contract under a gate lease, at `at`
 * (receipt), with the gate checks a live break-glass override lets through. One rule for the
 * lease and the event: `POST …/gate/lease` refuses what this refuses, and `migration.started`
 * accepts what it accepts, so an override never grants a lease whose contract is then refused.
 * Each condition waits on the gate check that reports it, and an override of that check waives
 * it: the window (`rollback_window`), the app not fully rolled out or rolled back (`flag`). An
 * expand that has not succeeded is never waived (break-glass never replaces expand safety).
 */
export function contractStartRefusal(
  rollout: RolloutProjection,
  policy: Policy,
  at: Date,
  overridden: ReadonlySet<GateCheckId>,
): Rejection | null {
  const state = rollout.state;
  if (state === "contract_failed") return null;
  if (!AFTER_EXPAND.includes(state))
    return {
      code: "expand_not_done",
      message: `The contract cannot start: the expand migration has not succeeded (the rollout is ${label(state)}).`,
    };
  if (!overridden.has("flag")) {
    if (state === "rolled_back")
      return {
        code: "app_rolled_back",
        message: `The app was rolled back to ${rollout.currentVersion ?? "an earlier version"}; redeploy ${rollout.releaseVersion} and let a full window pass before the contract.`,
      };
    if (state !== "verifying")
      return {
        code: "not_rolled_out",
        message: `The contract cannot start: version ${rollout.releaseVersion} is not fully rolled out (the rollout is ${label(state)}).`,
      };
  }
  return windowRefusal(rollout, policy, at, overridden);
}

function windowRefusal(
  rollout: RolloutProjection,
  policy: Policy,
  at: Date,
  overridden: ReadonlySet<GateCheckId>,
): Rejection | null {
  if (overridden.has("rollback_window")) return null;
  const windowEnd = windowEndsAt(rollout.windowStartedAt, policy);
  if (windowEnd !== null && at.getTime() >= windowEnd.getTime()) return null;
  return {
    code: "window_open",
    message: `The rollback window is still open${windowEnd ? ` until ${utcText(windowEnd)}` : ""}; the contract must wait for it to end.`,
  };
}

/** The gate checks a live override let through, as `contractStartRefusal` reads them. */
export function overriddenChecks(checks: ReadonlyArray<{ id: GateCheckId; overridden?: boolean }>): Set<GateCheckId> {
  return new Set(checks.filter((c) => c.overridden === true).map((c) => c.id));
}

function label(state: RolloutState): string {
  return state.replaceAll("_", " ");
}
