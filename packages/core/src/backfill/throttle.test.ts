import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROLLOUT_STATES } from "../types.ts";
import { decideThrottle, pauseIsNew, type ThrottleInputs } from "./throttle.ts";

const base: ThrottleInputs = {
  control: "run",
  gate: { state: "rolling_out", checks: [{ id: "no_go", status: "pass", message: "none" }] },
  unreachable: null,
  lagMs: 10,
  maxLagMs: 1000,
};

describe("decideThrottle", () => {
  it("runs when nothing holds it", () => {
    expect(decideThrottle(base)).toEqual({ kind: "run" });
    expect(decideThrottle({ ...base, lagMs: null })).toEqual({ kind: "run" });
  });
  it("says why it waits", () => {
    expect(decideThrottle({ ...base, lagMs: 2500 })).toEqual({
      kind: "pause",
      cause: "replica_lag",
      reason: "replica lag 2.5 s is over --max-lag 1.0 s",
    });
    expect(decideThrottle({ ...base, control: "pause" })).toMatchObject({ kind: "pause", cause: "operator" });
    expect(
      decideThrottle({
        ...base,
        gate: { state: "verifying", checks: [{ id: "no_go", status: "fail", message: "incident INC-7 is open" }] },
      }),
    ).toEqual({ kind: "pause", cause: "no_go", reason: "a no-go is firing: incident INC-7 is open" });
    expect(
      decideThrottle({
        ...base,
        gate: { state: "verifying", checks: [{ id: "slo", status: "fail", message: "p99" }] },
      }),
    ).toMatchObject({ kind: "pause", cause: "slo" });
    expect(decideThrottle({ ...base, control: null, gate: null, unreachable: "timeout" })).toMatchObject({
      kind: "pause",
      cause: "rollgate_unreachable",
    });
  });
  it("stops on cancel and once the contract started", () => {
    expect(decideThrottle({ ...base, control: "cancel" })).toMatchObject({ kind: "stop", cancelled: true });
    expect(decideThrottle({ ...base, gate: { state: "contracting", checks: [] } })).toMatchObject({
      kind: "stop",
      cancelled: false,
    });
  });
  it("cancel always wins; a running verdict needs every throttle clear", () => {
    const inputs = fc.record({
      control: fc.constantFrom("run", "pause", "cancel", null),
      state: fc.constantFrom(...ROLLOUT_STATES),
      noGo: fc.constantFrom("pass", "fail", "pending", "unknown"),
      slo: fc.constantFrom("pass", "fail", "pending", "unknown"),
      unreachable: fc.option(fc.constant("down")),
      lagMs: fc.option(fc.integer({ min: 0, max: 5000 })),
    });
    fc.assert(
      fc.property(inputs, (i) => {
        const d = decideThrottle({
          control: i.control as ThrottleInputs["control"],
          gate: i.unreachable
            ? null
            : {
                state: i.state,
                checks: [
                  { id: "no_go", status: i.noGo, message: "" },
                  { id: "slo", status: i.slo, message: "" },
                ],
              },
          unreachable: i.unreachable,
          lagMs: i.lagMs,
          maxLagMs: 1000,
        });
        if (i.control === "cancel") expect(d).toMatchObject({ kind: "stop", cancelled: true });
        if (d.kind === "run") {
          expect(i.control).toBe("run");
          expect(i.unreachable).toBeNull();
          expect([i.noGo, i.slo]).not.toContain("fail");
          expect(i.lagMs === null || i.lagMs <= 1000).toBe(true);
          expect(["contracting", "contracted", "contract_failed"]).not.toContain(i.state);
        }
      }),
    );
  });
});

describe("pauseIsNew", () => {
  it("a pause is said once, and again only when its cause changes", () => {
    const lag = decideThrottle({ ...base, lagMs: 5000 });
    expect(pauseIsNew(null, lag)).toBe(true);
    expect(pauseIsNew("replica_lag", lag)).toBe(false);
    expect(pauseIsNew("operator", lag)).toBe(true);
    expect(pauseIsNew("replica_lag", { kind: "run" })).toBe(false);
  });
});
