import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OVERRIDABLE_CHECKS } from "../access/decide.ts";
import { evaluateGate, type GateCheckId } from "../gate/index.ts";
import { at, CONTRACT_SUM, heldLease, HOUR, passingFacts, stagingPolicy, T0 } from "../../test/builders.ts";
import { ROLLOUT_STATES, type RolloutProjection } from "../types.ts";
import { applyEvent, contractStartRefusal, overriddenChecks, type DomainEvent } from "./index.ts";

const policy = stagingPolicy();
const inWindow: RolloutProjection = { ...passingFacts().rollout, windowStartedAt: at(0) };
const during = at(0.5); // the staging window is an hour
const WINDOWED = ["verifying", "contracting", "contracted", "contract_failed"];

function contractAt(when: Date, overridden: GateCheckId[]): DomainEvent {
  return {
    type: "migration.started",
    occurredAt: when,
    phase: "contract",
    name: "c",
    checksum: CONTRACT_SUM,
    lease: heldLease(CONTRACT_SUM, { gate: { allowed: true, failing: [], overridden } }),
  };
}

describe("what an override lets a contract start (one rule for the lease and migration.started)", () => {
  it("finding 15: an override of the rollback window lets migration.started through inside the window", () => {
    expect(contractStartRefusal(inWindow, policy, during, new Set())).toMatchObject({ code: "window_open" });
    expect(contractStartRefusal(inWindow, policy, during, new Set(["rollback_window"]))).toBeNull();
    expect(applyEvent(inWindow, contractAt(during, ["rollback_window", "slo"]), policy)).toMatchObject({
      ok: true,
      rollout: { state: "contracting" },
    });
    expect(applyEvent(inWindow, contractAt(during, []), policy)).toMatchObject({
      ok: false,
      rejection: { code: "window_open" },
    });
  });

  it("an override of the flag waives 'not fully rolled out' and 'rolled back', never an expand that has not succeeded", () => {
    const rolling: RolloutProjection = { ...inWindow, state: "rolling_out", windowStartedAt: null, flagPercent: 50 };
    const both = new Set<GateCheckId>(["flag", "rollback_window"]);
    expect(contractStartRefusal(rolling, policy, during, new Set())).toMatchObject({ code: "not_rolled_out" });
    expect(contractStartRefusal(rolling, policy, during, new Set(["flag"]))).toMatchObject({ code: "window_open" });
    expect(contractStartRefusal(rolling, policy, during, both)).toBeNull();
    const back: RolloutProjection = { ...rolling, state: "rolled_back" };
    expect(contractStartRefusal(back, policy, during, new Set())).toMatchObject({ code: "app_rolled_back" });
    expect(contractStartRefusal(back, policy, during, both)).toBeNull();
    for (const state of ["planned", "expanding", "expand_failed"] as const)
      expect(contractStartRefusal({ ...inWindow, state }, policy, during, both)).toMatchObject({
        code: "expand_not_done",
      });
  });

  it("whenever the gate grants a lease, the same overrides let the contract's migration.started through", () => {
    const overridable = [...OVERRIDABLE_CHECKS] as GateCheckId[];
    fc.assert(
      fc.property(
        fc.constantFrom(...ROLLOUT_STATES.filter((s) => s !== "contract_ready")),
        fc.option(fc.integer({ min: -3 * HOUR, max: 3 * HOUR }), { nil: null }),
        fc.integer({ min: 0, max: 4 * HOUR }),
        fc.subarray(overridable),
        fc.constantFrom(0, 50, 100),
        (state, windowOffset, after, checks, flagPercent) => {
          const now = new Date(T0.getTime() + after);
          const rollout: RolloutProjection = {
            ...passingFacts().rollout,
            state,
            flagPercent,
            // As the lifecycle keeps it: a window runs only while verifying (and after the contract started).
            windowStartedAt:
              windowOffset === null || !WINDOWED.includes(state) ? null : new Date(T0.getTime() + windowOffset),
          };
          const facts = {
            ...passingFacts(),
            rollout,
            overrides: [
              {
                kind: "break_glass" as const,
                checks,
                actor: "rm",
                createdAt: new Date(T0.getTime() - HOUR),
                expiresAt: new Date(T0.getTime() + 10 * HOUR),
                confirmedAt: T0,
              },
            ],
          };
          const verdict = evaluateGate(facts, policy, now);
          if (!verdict.allowed || state === "contracting" || state === "contracted") return;
          const overridden = overriddenChecks(verdict.checks);
          expect(contractStartRefusal(rollout, policy, now, overridden)).toBeNull();
          expect(applyEvent(rollout, contractAt(now, [...overridden]), policy)).toMatchObject({ ok: true });
        },
      ),
      { numRuns: 500 },
    );
  });
});
