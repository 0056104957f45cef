import type { Policy } from "../policy/index.ts";
import type { GateFacts, GateVerdict } from "./facts.ts";
import { dataCheckStaleAt } from "./data.ts";

/**
 * What a waiting pipeline acts on: the state, the verdict and each check's status, deadline
 * and override. A long-poll answers when this changes, not when a sentence does ("restore-tested
 * 3.1 h ago" becomes "3.2 h ago" every six minutes; an SLO count grows with every snapshot), so
 * the entity tag built from it is a weak one: the same tag means an equivalent verdict.
 */
export function gateDecisionKey(gate: {
  state: string;
  allowed: boolean;
  checks: ReadonlyArray<{ id: string; status: string; until: string | null; overridden: boolean; blocking: boolean }>;
}): string {
  return JSON.stringify([
    gate.state,
    gate.allowed,
    gate.checks.map((c) => [c.id, c.status, c.until, c.overridden, c.blocking]),
  ]);
}

/**
 * The next instant after `now` at which the verdict can change with no write to the database:
 * a deadline a check names (window end, lease expiry, freeze end), an approval or override
 * expiring, the backup growing too old, the SLO source's tolerated gap running out, a dated
 * freeze starting, a data check's run growing too old. Null when none is known; weekly freezes and inspection ages are left to
 * the caller's periodic re-check.
 */
export function nextGateChange(facts: GateFacts, policy: Policy, verdict: GateVerdict, now: Date): Date | null {
  const at: number[] = verdict.checks.flatMap((c) => (c.until ? [c.until.getTime()] : []));
  if (verdict.windowEndsAt) at.push(verdict.windowEndsAt.getTime());
  for (const a of facts.approvals)
    if (!a.withdrawnAt) at.push(a.decidedAt.getTime() + policy.approvals.expirySeconds * 1000 + 1);
  for (const o of facts.overrides) at.push(o.createdAt.getTime(), o.expiresAt.getTime());
  if (facts.activeLease) at.push(facts.activeLease.expiresAt.getTime());
  if (facts.latestTestedBackup)
    at.push(facts.latestTestedBackup.verifiedAt.getTime() + policy.backupMaxAgeSeconds * 1000);
  const window = facts.rollout.windowStartedAt;
  if (policy.sloSource && window) {
    const last = facts.slo.pulls?.lastOkAt;
    const since = last && last > window ? last : window;
    at.push(since.getTime() + policy.sloSource.maxGapSeconds * 1000 + 1000);
  }
  for (const c of facts.dataChecks ?? []) {
    const stale = dataCheckStaleAt(c, window, policy);
    if (stale) at.push(stale.getTime());
  }
  for (const f of policy.freezes) if (f.kind === "range") at.push(Date.parse(f.from), Date.parse(f.until));
  const future = at.filter((t) => Number.isFinite(t) && t > now.getTime());
  return future.length ? new Date(Math.min(...future)) : null;
}
