import { describe, expect, it } from "vitest";
import { at, HOUR, passingFacts, stagingPolicy } from "../../test/builders.ts";
import { evaluateGate } from "./index.ts";
import { gateDecisionKey, nextGateChange } from "./wait.ts";

const policy = stagingPolicy();
const key = (facts = passingFacts(), now = at(0.5), p = policy) => {
  const v = evaluateGate(facts, p, now);
  return gateDecisionKey({
    state: facts.rollout.state,
    allowed: v.allowed,
    checks: v.checks.map((c) => ({
      id: c.id,
      status: c.status,
      until: c.until?.toISOString() ?? null,
      overridden: c.overridden ?? false,
      blocking: c.blocking ?? true,
    })),
  });
};

describe("nextGateChange", () => {
  it("wakes at the end of the rollback window while it runs, and the verdict changes there", () => {
    const facts = passingFacts();
    const next = nextGateChange(facts, policy, evaluateGate(facts, policy, at(0.5)), at(0.5));
    expect(next).toEqual(at(1));
    expect(key(facts, new Date(at(1).getTime() - 1))).toBe(key(facts, at(0.5)));
    expect(key(facts, at(1))).not.toBe(key(facts, at(0.5)));
  });

  it("names the moment an approval expires once the window is over", () => {
    const p = stagingPolicy({ approvals: { ...policy.approvals, expirySeconds: 3 * 3600 } });
    const facts = passingFacts({ latestTestedBackup: { backupId: "b", verifiedAt: at(2) } });
    expect(nextGateChange(facts, p, evaluateGate(facts, p, at(2)), at(2))).toEqual(new Date(at(4).getTime() + 1));
    expect(key(facts, new Date(at(4).getTime() + 1), p)).not.toBe(key(facts, at(2), p));
  });

  it("names the start of a dated freeze and the lease's expiry, and nothing in the past", () => {
    const p = stagingPolicy({
      freezes: [{ kind: "range", reason: "audit", from: at(3).toISOString(), until: at(5).toISOString() }],
    });
    const facts = passingFacts({ activeLease: { holder: "ci", expiresAt: new Date(at(2).getTime() + 0.25 * HOUR) } });
    expect(nextGateChange(facts, p, evaluateGate(facts, p, at(2)), at(2))).toEqual(
      new Date(at(2).getTime() + 0.25 * HOUR),
    );
    const later = passingFacts({ latestTestedBackup: { backupId: "b", verifiedAt: at(2.9) }, approvals: [] });
    expect(nextGateChange(later, p, evaluateGate(later, p, at(2.9)), at(2.9))).toEqual(at(3));
  });
});

describe("gateDecisionKey", () => {
  it("ignores a sentence that changes with time alone but not a status", () => {
    const facts = passingFacts();
    expect(key(facts, at(2))).toBe(key(facts, at(2.5)));
    expect(key(passingFacts({ openIncidents: [{ title: "down", openedAt: at(1) }] }), at(2))).not.toBe(
      key(facts, at(2)),
    );
  });
});
