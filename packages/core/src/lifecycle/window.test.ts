import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateGate } from "../gate/index.ts";
import { at, passingFacts, stagingPolicy } from "../../test/builders.ts";
import { contractStartRefusal } from "./contract-start.ts";
import { windowEndsAt } from "./window.ts";

describe("when the rollback window ends", () => {
  it("is the start plus the policy's window, and the gate, the contract start and the watcher agree on it (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 72 * 3600 }), fc.integer({ min: 0, max: 80 * 3600 }), (seconds, after) => {
        const policy = stagingPolicy({ rollbackWindowSeconds: seconds });
        const facts = passingFacts();
        const ends = windowEndsAt(facts.rollout.windowStartedAt, policy)!;
        expect(ends.getTime()).toBe(at(0).getTime() + seconds * 1000);
        expect(evaluateGate(facts, policy, at(0)).windowEndsAt).toEqual(ends);
        const now = new Date(at(0).getTime() + after * 1000);
        const waiting = contractStartRefusal(facts.rollout, policy, now, new Set())?.code === "window_open";
        expect(waiting).toBe(now < ends);
      }),
    );
  });

  it("is unknown before the window started", () => {
    expect(windowEndsAt(null, stagingPolicy())).toBeNull();
  });
});
