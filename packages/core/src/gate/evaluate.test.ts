import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { at, CONTRACT_SUM, passingFacts, stagingPolicy } from "../../test/builders.ts";
import { evaluateGate, GATE_CHECK_IDS, type GateFacts } from "./index.ts";

const policy = stagingPolicy();
const check = (facts: GateFacts, id: string, now = at(2), p = policy) =>
  evaluateGate(facts, p, now).checks.find((c) => c.id === id)!;

describe("evaluateGate", () => {
  it("allows the contract when every check passes, one check per rule in order", () => {
    const verdict = evaluateGate(passingFacts(), policy, at(2));
    expect(verdict.checks.map((c) => c.id)).toEqual([...GATE_CHECK_IDS]);
    expect(verdict.checks.filter((c) => c.blocking !== false).every((c) => c.status === "pass")).toBe(true);
    expect(verdict).toMatchObject({ allowed: true, windowEndsAt: at(1), approvals: { have: 1, need: 1 } });
  });

  it("keeps the window check pending with its end while it runs", () => {
    const c = check(passingFacts(), "rollback_window", at(0.5));
    expect(c).toMatchObject({ status: "pending", until: at(1) });
    expect(c.message).toContain("2026-11-02 10:00:00 UTC");
    expect(evaluateGate(passingFacts(), policy, at(0.5)).allowed).toBe(false);
  });

  it("fails the expand check for destructive findings or a failed expand", () => {
    expect(check(passingFacts({ expandDestructiveFindings: 1 }), "expand").status).toBe("fail");
    expect(
      check(passingFacts({ rollout: { ...passingFacts().rollout, state: "expand_failed" } }), "expand").status,
    ).toBe("fail");
  });

  it("fails the flag check after an app rollback", () => {
    const rollout = {
      ...passingFacts().rollout,
      state: "rolled_back" as const,
      windowStartedAt: null,
      currentVersion: "1.9.0",
      lastRollbackAt: at(0.5),
    };
    expect(check(passingFacts({ rollout }), "flag")).toMatchObject({ status: "fail" });
  });

  it("fails the SLO check on a breach and names the metric", () => {
    const c = check(
      passingFacts({ slo: { samples: 10, minAvailability: 98.2, minErrorBudgetRemaining: 0.5, maxBurnRate: 12 } }),
      "slo",
    );
    expect(c.status).toBe("fail");
    expect(c.message).toMatch(/availability fell to 98.2 %/);
    expect(c.message).toMatch(/burn rate reached 12/);
  });

  it("fails the SLO check when no snapshot arrived during a finished window", () => {
    expect(
      check(
        passingFacts({ slo: { samples: 0, minAvailability: null, minErrorBudgetRemaining: null, maxBurnRate: null } }),
        "slo",
      ).status,
    ).toBe("fail");
  });

  it("fails the backup check when the newest tested backup is too old or missing", () => {
    expect(check(passingFacts({ latestTestedBackup: null }), "backup").status).toBe("fail");
    expect(
      check(passingFacts({ latestTestedBackup: { backupId: "old", verifiedAt: at(-24 * 8) } }), "backup").message,
    ).toMatch(/h old/);
  });

  it("fails promotion until earlier environments are contracted", () => {
    expect(
      check(
        passingFacts({ earlierEnvironments: [{ name: "staging", state: "verifying", contractChecksum: null }] }),
        "promotion",
      ),
    ).toMatchObject({ status: "fail", message: expect.stringContaining("staging (verifying)") });
    expect(
      check(
        passingFacts({
          earlierEnvironments: [{ name: "staging", state: "contracted", contractChecksum: CONTRACT_SUM }],
        }),
        "promotion",
      ).status,
    ).toBe("pass");
  });

  it("finding 19: promotion by a different contract script fails", () => {
    const facts = passingFacts();
    const ran = (contractChecksum: string | null) =>
      check(
        { ...facts, earlierEnvironments: [{ name: "staging", state: "contracted", contractChecksum }] },
        "promotion",
      );
    expect(ran("f".repeat(64))).toMatchObject({
      status: "fail",
      message: expect.stringContaining("staging"),
    });
    expect(ran(null).status).toBe("fail");
    expect(ran(facts.rollout.contractChecksum).status).toBe("pass");
  });

  it("passes promotion only when every earlier environment contracted this very script (property)", () => {
    const sum = fc.constantFrom(CONTRACT_SUM, "d".repeat(64), null);
    const state = fc.constantFrom("contracted", "verifying", "contract_failed", null);
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.constantFrom("dev", "staging", "qa"), state, contractChecksum: sum }), {
          maxLength: 3,
        }),
        sum,
        (earlierEnvironments, own) => {
          const facts = passingFacts({ earlierEnvironments: earlierEnvironments as GateFacts["earlierEnvironments"] });
          const passed =
            check({ ...facts, rollout: { ...facts.rollout, contractChecksum: own } }, "promotion").status === "pass";
          const promoted = earlierEnvironments.every(
            (e) => e.state === "contracted" && own !== null && e.contractChecksum === own,
          );
          expect(passed).toBe(promoted);
        },
      ),
    );
  });

  it("fails on a freeze, an open incident or an active custom condition", () => {
    const freeze = stagingPolicy({
      freezes: [{ kind: "range", reason: "Black Friday", from: at(0).toISOString(), until: at(48).toISOString() }],
    });
    expect(check(passingFacts(), "no_go", at(2), freeze)).toMatchObject({ status: "fail", until: at(48) });
    expect(
      check(passingFacts({ openIncidents: [{ title: "Checkout latency", openedAt: at(1) }] }), "no_go").message,
    ).toContain("Checkout latency");
    const custom = stagingPolicy({ noGo: [{ id: "audit", description: "Quarterly audit in progress", active: true }] });
    expect(check(passingFacts(), "no_go", at(2), custom).message).toContain("Quarterly audit");
  });

  it("explains approvals that do not count", () => {
    const approvals = [
      {
        approverId: "author",
        approverEmail: "Author@example.com",
        role: "approver",
        currentRoles: ["approver"],
        decision: "approve" as const,
        contractChecksum: CONTRACT_SUM,
        decidedAt: at(1),
        withdrawnAt: null,
      },
      {
        approverId: "b",
        approverEmail: "b@example.com",
        role: "approver",
        currentRoles: ["approver"],
        decision: "approve" as const,
        contractChecksum: "0".repeat(64),
        decidedAt: at(1),
        withdrawnAt: null,
      },
      {
        approverId: "c",
        approverEmail: "c@example.com",
        role: "approver",
        currentRoles: ["viewer"],
        decision: "approve" as const,
        contractChecksum: CONTRACT_SUM,
        decidedAt: at(1),
        withdrawnAt: null,
      },
    ];
    const c = check(passingFacts({ approvals }), "approvals");
    expect(c.status).toBe("pending");
    expect(c.message).toMatch(/earlier version of the contract script/);
    expect(c.message).toMatch(/author cannot approve/);
    expect(c.message).toMatch(/no longer hold a role that may approve/);
  });

  it("blocks on a rejection and ignores a withdrawn approval", () => {
    const base = passingFacts().approvals[0]!;
    expect(check(passingFacts({ approvals: [{ ...base, decision: "reject" }] }), "approvals").status).toBe("fail");
    expect(check(passingFacts({ approvals: [{ ...base, withdrawnAt: at(1.5) }] }), "approvals").status).toBe("pending");
  });

  it("fails while another job holds a live lease", () => {
    expect(check(passingFacts({ activeLease: { holder: "ci#42", expiresAt: at(2.5) } }), "lease")).toMatchObject({
      status: "fail",
      until: at(2.5),
    });
    expect(check(passingFacts({ activeLease: { holder: "ci#42", expiresAt: at(1.5) } }), "lease").status).toBe("pass");
  });

  it("lets a live break-glass override through, marked as overridden", () => {
    const facts = passingFacts({
      latestTestedBackup: null,
      overrides: [
        {
          kind: "break_glass",
          checks: ["backup"],
          actor: "rita@example.com",
          createdAt: at(1.9),
          expiresAt: at(3),
          confirmedAt: null,
        },
      ],
    });
    const verdict = evaluateGate(facts, policy, at(2));
    expect(verdict.allowed).toBe(true);
    expect(verdict.checks.find((c) => c.id === "backup")).toMatchObject({ status: "fail", overridden: true });
    expect(evaluateGate(facts, policy, at(3)).allowed).toBe(false);
  });
});
