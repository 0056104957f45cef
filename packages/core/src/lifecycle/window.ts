import type { Policy } from "../policy/index.ts";

/** When a rollout's rollback window ends: its start plus the policy's `rollbackWindowSeconds`; null before it started. */
export function windowEndsAt(windowStartedAt: Date | null, policy: Pick<Policy, "rollbackWindowSeconds">): Date | null {
  return windowStartedAt ? new Date(windowStartedAt.getTime() + policy.rollbackWindowSeconds * 1000) : null;
}
