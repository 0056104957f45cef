import type { RolloutState } from "../types.ts";

/**
 * The state a rollout is shown in (the gate's answer, the rollout page, the overview):
 * `contract_ready` is never stored, it is `verifying` with the gate open.
 */
export function shownState(stored: string, gateAllowed: boolean): RolloutState {
  return gateAllowed && stored === "verifying" ? "contract_ready" : (stored as RolloutState);
}
