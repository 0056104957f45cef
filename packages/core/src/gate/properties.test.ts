import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEvent, plannedRollout, type DomainEvent } from "../lifecycle/index.ts";
import { CONTRACT_SUM, EXPAND_SUM, heldLease, HOUR, passingFacts, stagingPolicy, T0 } from "../../test/builders.ts";
import type { RolloutProjection } from "../types.ts";
import { evaluateGate, GATE_CHECK_IDS, type ApprovalFact, type GateFacts } from "./index.ts";

const policy = stagingPolicy();
const LIVE_DATABASE_CHECKS = ["usage", "expand_live", "lock_risk", "rehearsal"];
const windowMs = policy.rollbackWindowSeconds * 1000;

/** Random but plausible event sequences, with time moving forward. */
const eventArb: fc.Arbitrary<(t: Date) => DomainEvent> = fc.oneof(
  fc.constant((t: Date): DomainEvent => ({
    type: "migration.started",
    occurredAt: t,
    phase: "expand",
    name: "x",
    checksum: EXPAND_SUM,
    destructiveFindings: 0,
  })),
  fc.constant((t: Date): DomainEvent => ({
    type: "migration.succeeded",
    occurredAt: t,
    phase: "expand",
    name: "x",
    checksum: EXPAND_SUM,
  })),
  fc.constant((t: Date): DomainEvent => ({
    type: "migration.failed",
    occurredAt: t,
    phase: "expand",
    name: "x",
    checksum: EXPAND_SUM,
  })),
  fc
    .constantFrom("2.0.0", "1.9.0")
    .map((version) => (t: Date): DomainEvent => ({ type: "app.deployed", occurredAt: t, version })),
  fc.constant((t: Date): DomainEvent => ({ type: "app.rolled_back", occurredAt: t, version: "1.9.0" })),
  fc
    .constantFrom(0, 10, 50, 100)
    .map((percent) => (t: Date): DomainEvent => ({ type: "flag.changed", occurredAt: t, percent })),
  fc.boolean().map((leaseValid) => (t: Date): DomainEvent => ({
    type: "migration.started",
    occurredAt: t,
    phase: "contract",
    name: "c",
    checksum: CONTRACT_SUM,
    lease: leaseValid ? heldLease() : { ...heldLease(), held: null },
  })),
);
const historyArb = fc.array(fc.tuple(eventArb, fc.integer({ min: 0, max: 90 * 60_000 })), { maxLength: 25 });

function replay(history: Array<[(t: Date) => DomainEvent, number]>) {
  let rollout: RolloutProjection = plannedRollout("2.0.0", {
    expandChecksum: EXPAND_SUM,
    contractChecksum: CONTRACT_SUM,
  });
  let clock = T0.getTime();
  let lastWindowEvent: number | null = null;
  for (const [make, gap] of history) {
    clock += gap;
    const event = make(new Date(clock));
    const result = applyEvent(rollout, event, policy);
    if (!result.ok) continue;
    const before = rollout;
    rollout = result.rollout;
    // An oracle independent of the projection: every accepted deploy, rollback or flag
    // change to 100 % before the contract started moves the earliest allowed window end.
    const contractStarted = ["contracting", "contracted", "contract_failed"].includes(before.state);
    const flagToFull = event.type === "flag.changed" && event.percent >= 100 && before.flagPercent < 100;
    if (!contractStarted && (event.type === "app.deployed" || event.type === "app.rolled_back" || flagToFull))
      lastWindowEvent = clock;
  }
  return { rollout, clock, lastWindowEvent };
}

const approvalArb: fc.Arbitrary<ApprovalFact> = fc.record({
  approverId: fc.constantFrom("u1", "u2", "u3"),
  approverEmail: fc.constantFrom("author@example.com", "amir@example.com", "olga@example.com"),
  role: fc.constantFrom("approver", "viewer", "release_manager"),
  currentRoles: fc.subarray(["approver", "viewer", "release_manager"]),
  decision: fc.constantFrom("approve" as const, "reject" as const),
  contractChecksum: fc.constantFrom(CONTRACT_SUM, "0".repeat(64)),
  decidedAt: fc.integer({ min: -10 * 24, max: 48 }).map((h) => new Date(T0.getTime() + h * HOUR)),
  withdrawnAt: fc.option(fc.constant(T0), { nil: null }),
});

describe("gate properties", () => {
  it("never allows a contract unless every blocking check passes or is overridden", () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.integer({ min: 0, max: 10 * HOUR }),
        fc.array(approvalArb, { maxLength: 4 }),
        fc.boolean(),
        (history, after, approvals, incident) => {
          const { rollout, clock } = replay(history);
          const now = new Date(clock + after);
          const facts: GateFacts = {
            ...passingFacts(),
            rollout,
            approvals,
            openIncidents: incident ? [{ title: "x", openedAt: T0 }] : [],
          };
          const verdict = evaluateGate(facts, policy, now);
          // Only the live-database checks (policy "auto", environment never inspected: these facts)
          // and the rehearsal (the policy does not require one) may be informational; every other check always blocks.
          const informational = verdict.checks.filter((c) => c.blocking === false).map((c) => c.id);
          for (const id of informational) expect(LIVE_DATABASE_CHECKS).toContain(id);
          const allPass = verdict.checks.every((c) => c.status === "pass" || c.overridden || c.blocking === false);
          expect(verdict.allowed).toBe(allPass);
          if (verdict.allowed) {
            expect(verdict.checks.map((c) => c.id)).toEqual([...GATE_CHECK_IDS]);
            expect(rollout.windowStartedAt).not.toBeNull();
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never counts an approval by the author, for another checksum, or past its expiry", () => {
    fc.assert(
      fc.property(fc.array(approvalArb, { maxLength: 6 }), fc.integer({ min: 0, max: 20 * 24 }), (approvals, hours) => {
        const now = new Date(T0.getTime() + hours * HOUR);
        const valid = approvals.filter(
          (a) =>
            !a.withdrawnAt &&
            a.decision === "approve" &&
            a.approverId !== "u1" &&
            a.currentRoles.some((r) => r !== "viewer") &&
            a.contractChecksum === CONTRACT_SUM &&
            now.getTime() - a.decidedAt.getTime() <= policy.approvals.expirySeconds * 1000,
        );
        const verdict = evaluateGate({ ...passingFacts(), authorIds: ["u1"], approvals }, policy, now);
        expect(verdict.approvals.have).toBe(new Set(valid.map((a) => a.approverId)).size);
      }),
      { numRuns: 400 },
    );
  });

  it("never ends the window earlier than the policy's duration after the last deploy, rollback or flag change to 100 %", () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const { rollout, lastWindowEvent } = replay(history);
        const verdict = evaluateGate({ ...passingFacts(), rollout }, policy, new Date(0));
        if (verdict.windowEndsAt && lastWindowEvent !== null)
          expect(verdict.windowEndsAt.getTime()).toBeGreaterThanOrEqual(lastWindowEvent + windowMs);
        if (rollout.state === "rolled_back") expect(verdict.windowEndsAt).toBeNull();
      }),
      { numRuns: 400 },
    );
  });
});
