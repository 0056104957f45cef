// Test builders shared by the core tests.
import {
  auditChainCheck,
  type AuditAnchors,
  type AuditChainVerdict,
  type AuditLink,
} from "../src/access/audit-chain.ts";
import {
  authorIdentities,
  canonicalIdentity,
  DEFAULT_AUTHOR_MATCHING,
  type AuthorMatching,
  type Identity,
} from "../src/access/identity.ts";
import type { Inspection } from "../src/contract/inspection.ts";
import type { DatabaseFacts, InspectionFact } from "../src/gate/facts.ts";
import type { GateFacts } from "../src/gate/index.ts";
import { plannedRollout, type ContractLease } from "../src/lifecycle/index.ts";
import { defaultPolicy, type Policy } from "../src/policy/index.ts";

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

/** When the inspected database's statistics were last reset and its server started. */
export const STATS_STARTED = "2026-11-01T00:00:00.000Z";
/** The inspected database: one cluster whose clock agrees with Rollgate's. */
export const INSPECTED_SERVER = {
  version: "15.8",
  started_at: STATS_STARTED,
  database: "app",
  system_identifier: "7316398991098968221",
};

/** An inspection of that database received (and taken) `hours` after T0. */
export function inspectionFact(
  id: string,
  hours: number,
  patch: Partial<Omit<Inspection, "usage">> = {},
): InspectionFact {
  return {
    id,
    receivedAt: at(hours),
    summary: {
      format: 1,
      server: { ...INSPECTED_SERVER, now: at(hours).toISOString() },
      statistics: {
        available: true,
        track: "all",
        stats_reset: STATS_STARTED,
        dealloc: 0,
        statements: 40,
        unresolved: 0,
      },
      contract_checksum: CONTRACT_SUM,
      expand_checksum: EXPAND_SUM,
      statements: [],
      usage_complete: true,
      expand: [{ kind: "column", name: "public.invoices.billing_email", expected: "text", state: "present" }],
      tables: [{ name: "public.invoices", bytes: 8192, rows: 12 }],
      sessions: [],
      duration_ms: 40,
      ...patch,
    },
  };
}

/** A contract that drops `invoices.email`, without its statements' lock facts. */
export const DROPPED_EMAIL_CONTRACT: NonNullable<DatabaseFacts["contract"]> = {
  checksum: CONTRACT_SUM,
  removed: [{ kind: "column", table: "invoices", name: "email", change: "dropped" }],
  statements: [],
};

/** The verdict over a whole chain held in memory. */
export function auditChainVerdict(links: Iterable<AuditLink>, anchors: AuditAnchors): AuditChainVerdict {
  const check = auditChainCheck(anchors);
  for (const link of links) {
    const verdict = check.add(link);
    if (verdict) return verdict;
  }
  return check.finish();
}

/** Whether a person with these identities wrote a release with this author text, as the gate's SQL matches them. */
export function isAuthor(
  identities: readonly Identity[],
  author: string,
  matching: AuthorMatching = DEFAULT_AUTHOR_MATCHING,
): boolean {
  const named = new Set(authorIdentities(author, matching));
  return identities.some((i) => named.has(canonicalIdentity(i, matching)));
}
