import { describe, expect, it } from "vitest";
import { argoGateResult, flaggerDecision, type GateView } from "./progressive-delivery.ts";

const gate = (statuses: Record<string, "pass" | "fail" | "pending">, allowed = false): GateView => ({
  allowed,
  state: "verifying",
  checks: ["expand", "rollback_window", "flag", "slo", "backup", "promotion", "no_go", "approvals", "lease"].map(
    (id) => ({ id: id as never, status: statuses[id] ?? "pass", message: `${id} says so` }),
  ),
});

describe("Flagger decisions", () => {
  it("holds pre-rollout until the expand succeeded, then allows it while the contract gate is still closed", () => {
    expect(flaggerDecision("pre-rollout", gate({ expand: "pending", rollback_window: "pending" }))).toMatchObject({
      allow: false,
      reason: expect.stringContaining("expand"),
    });
    expect(flaggerDecision("pre-rollout", gate({ rollback_window: "pending", approvals: "pending" })).allow).toBe(true);
    expect(flaggerDecision("pre-rollout", gate({ no_go: "fail" })).allow).toBe(false);
  });

  it("holds promotion on a failing release check but not on contract-only checks", () => {
    expect(flaggerDecision("confirm-promotion", gate({ slo: "fail" }))).toMatchObject({
      allow: false,
      reason: expect.stringContaining("slo: slo says so"),
    });
    expect(
      flaggerDecision("confirm-promotion", gate({ approvals: "fail", backup: "fail", rollback_window: "pending" }))
        .allow,
    ).toBe(true);
  });

  it("asks for a rollback only with evidence against the release, and never into an UNSAFE version", () => {
    expect(flaggerDecision("rollback", gate({ rollback_window: "pending" })).allow).toBe(false);
    expect(
      flaggerDecision("rollback", gate({ slo: "fail" }), { verdict: "SAFE", version: "1.9.0", reason: "" }),
    ).toMatchObject({ allow: true, reason: expect.stringContaining("1.9.0 is SAFE") });
    expect(
      flaggerDecision("rollback", gate({ no_go: "fail" }), {
        verdict: "UNSAFE",
        version: "1.9.0",
        reason: "users.email dropped",
      }),
    ).toMatchObject({ allow: false, reason: expect.stringContaining("UNSAFE") });
  });

  it("lets an overridden failure through", () => {
    const g = gate({ slo: "fail" });
    g.checks.find((c) => c.id === "slo")!.overridden = true;
    expect(flaggerDecision("confirm-promotion", g).allow).toBe(true);
  });
});

describe("Argo's gate result", () => {
  it("is ALLOWED, WAITING or DENIED with the checks that hold it", () => {
    expect(argoGateResult(gate({}, true))).toMatchObject({
      allowed: true,
      verdict: "ALLOWED",
      failing: [],
      pending: [],
    });
    expect(argoGateResult(gate({ rollback_window: "pending" }))).toMatchObject({
      allowed: false,
      verdict: "WAITING",
      pending: [{ id: "rollback_window" }],
    });
    expect(argoGateResult(gate({ rollback_window: "pending", slo: "fail" }))).toMatchObject({
      verdict: "DENIED",
      failing: [{ id: "slo" }],
    });
  });
});
