import type { GateCheck } from "./facts.ts";

/** The checks that hold the contract back: not passing, not overridden, and blocking (not informational). */
export function openChecks<C extends Pick<GateCheck, "status"> & { overridden?: boolean; blocking?: boolean }>(
  checks: readonly C[],
): C[] {
  return checks.filter((c) => c.status !== "pass" && c.overridden !== true && c.blocking !== false);
}
