// Test builders shared by the core tests.
import type { GateFacts } from "../gate/index.ts";
import { plannedRollout, type ContractLease } from "../lifecycle/index.ts";
import { defaultPolicy, type Policy } from "../policy/index.ts";

export const HOUR = 3_600_000;
export const T0 = new Date("2026-11-02T09:00:00Z");
export const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
export const EXPAND_SUM = "e".repeat(64);
export const CONTRACT_SUM = "c".repeat(64);

export function stagingPolicy(patch: Partial<Policy> = {}): Policy {
  return { ...defaultPolicy("staging"), ...patch };
}

/** Facts for a rollout whose every check passes at `at(2)` under the staging policy. */
export function passingFacts(patch: Partial<GateFacts> = {}): GateFacts {
  return {
    rollout: {
      ...plannedRollout("2.0.0", { expandChecksum: EXPAND_SUM, contractChecksum: CONTRACT_SUM }),
      state: "verifying",
      currentVersion: "2.0.0",
      deployedAt: at(0),
      flagPercent: 100,
      flagFullAt: at(0),
      windowStartedAt: at(0),
    },
    expandDestructiveFindings: 0,
    slo: { samples: 12, minAvailability: 99.95, minErrorBudgetRemaining: 0.8, maxBurnRate: 0.7 },
    latestTestedBackup: { backupId: "b-1", verifiedAt: at(1) },
    earlierEnvironments: [],
    openIncidents: [],
    environment: "staging",
    productionLike: false,
    releaseAuthor: "author@example.com",
    authorIds: ["author"],
    approvals: [
      {
        approverId: "u1",
        approverEmail: "amir@example.com",
        role: "approver",
        currentRoles: ["approver"],
        decision: "approve",
        contractChecksum: CONTRACT_SUM,
        decidedAt: at(1),
        withdrawnAt: null,
      },
    ],
    activeLease: null,
    overrides: [],
    ...patch,
  };
}

/** A live gate lease held by token `t1` for `checksum`, with the gate open when re-checked. */
export function heldLease(checksum = CONTRACT_SUM, patch: Partial<ContractLease> = {}): ContractLease {
  return {
    held: { kind: "gate", tokenId: "t1", checksum },
    senderTokenId: "t1",
    gate: { allowed: true, failing: [] },
    ...patch,
  };
}
