import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateGate } from "../gate/index.ts";
import { at, CONTRACT_SUM, passingFacts, stagingPolicy } from "../../test/builders.ts";
import { ROLLOUT_STATES } from "../types.ts";
import { contractStartRefusal, overriddenChecks } from "./contract-start.ts";
import { decideLease, type LeaseRequestFacts } from "./lease-grant.ts";

const facts = passingFacts();
const policy = stagingPolicy();
const open = evaluateGate(facts, policy, at(2));
const recovery = { id: "o1", fixName: "fix", fixChecksum: "f".repeat(64), confirmedAt: at(1) };

function request(patch: Partial<LeaseRequestFacts> = {}): LeaseRequestFacts {
  return {
    rollout: facts.rollout,
    policy,
    productionLike: false,
    at: at(2),
    verdict: open,
    leaseHolder: null,
    recovery: null,
    ...patch,
  };
}

describe("granting the contract lease", () => {
  it("grants a gate lease for the approved contract script when the gate is open, recording every check", () => {
    expect(open.allowed).toBe(true);
    const decision = decideLease(request());
    expect(decision).toMatchObject({ grant: true, kind: "gate", checksum: CONTRACT_SUM });
    expect(decision.grant && (decision.detail.checks as unknown[]).length).toBe(open.checks.length);
  });

  it("refuses while the gate is closed, naming what holds it", () => {
    const closed = evaluateGate(
      passingFacts({ openIncidents: [{ title: "Checkout errors", openedAt: at(1) }] }),
      policy,
      at(2),
    );
    const decision = decideLease(request({ verdict: closed }));
    expect(decision).toMatchObject({ grant: false, reason: "gate_closed" });
    expect(!decision.grant && decision.message).toMatch(/^The gate is closed: /);
  });

  it("grants a recovery lease for the fix of a failed migration only once confirmed where the policy asks, and not beside a live lease", () => {
    const failed = { ...facts.rollout, state: "contract_failed" as const };
    const closed = { ...open, allowed: false };
    expect(decideLease(request({ rollout: failed, verdict: closed, recovery }))).toMatchObject({
      grant: true,
      kind: "recovery",
      checksum: recovery.fixChecksum,
      detail: { recoveryId: "o1", fix: "fix" },
    });
    expect(
      decideLease(
        request({
          rollout: failed,
          verdict: closed,
          recovery: { ...recovery, confirmedAt: null },
          productionLike: true,
        }),
      ),
    ).toMatchObject({ grant: false, reason: "recovery_unconfirmed" });
    expect(decideLease(request({ rollout: failed, verdict: closed, recovery, leaseHolder: "ci-7" }))).toEqual({
      grant: false,
      reason: "lease_held",
      message: "ci-7 already holds the lease for this rollout.",
    });
  });

  it("never grants a gate lease that migration.started would refuse, nor one for no script, nor a recovery outside a failed state (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROLLOUT_STATES.filter((s) => s !== "contract_ready")),
        fc.boolean(),
        fc.option(fc.constant(CONTRACT_SUM), { nil: null }),
        fc.option(fc.constant(recovery), { nil: null }),
        fc.integer({ min: 0, max: 200 }),
        (state, allowed, checksum, live, hours) => {
          const rollout = { ...facts.rollout, state, contractChecksum: checksum };
          const verdict = { ...open, allowed };
          const decision = decideLease(request({ rollout, verdict, recovery: live, at: at(hours) }));
          if (!decision.grant) return;
          if (decision.kind === "recovery") {
            expect(["expand_failed", "contract_failed"]).toContain(state);
            expect(decision.checksum).toBe(recovery.fixChecksum);
            return;
          }
          expect(allowed).toBe(true);
          expect(decision.checksum).toBe(checksum);
          expect(contractStartRefusal(rollout, policy, at(hours), overriddenChecks(verdict.checks))).toBeNull();
        },
      ),
    );
  });
});
