import { describe, expect, it } from "vitest";
import { contractFact, rollbackEligibility, scriptThatRan } from "../eligibility/index.ts";
import { applyEvent, plannedRollout } from "../lifecycle/index.ts";
import { at, EXPAND_SUM, passingFacts, stagingPolicy } from "../../test/builders.ts";
import { evaluateGate } from "./index.ts";

// Finding 11 of issue 26: a script Rollgate never read is unknown, never safe.

const policy = stagingPolicy();

describe("scripts Rollgate never read", () => {
  it("finding 11: an expand started with a checksum and no text is refused (expand_unseen), not called additive", () => {
    const result = applyEvent(
      plannedRollout("2.0.0"),
      {
        type: "migration.started",
        occurredAt: at(0),
        phase: "expand",
        name: "e",
        checksum: EXPAND_SUM,
        destructiveFindings: null,
      },
      policy,
    );
    expect(result).toMatchObject({ ok: false, rejection: { code: "expand_unseen" } });
    if (!result.ok) expect(result.rejection.message).toContain("data.sql");
  });

  it("finding 11: the gate's expand check is unknown, not 'additive only', for an expand whose text it never held", () => {
    const verdict = evaluateGate(passingFacts({ expandDestructiveFindings: null }), policy, at(2));
    const expand = verdict.checks.find((c) => c.id === "expand")!;
    expect(expand.status).toBe("unknown");
    expect(expand.message).not.toContain("additive only");
    expect(verdict.allowed).toBe(false);
    // Break-glass cannot pass it.
    const overridden = evaluateGate(
      passingFacts({
        expandDestructiveFindings: null,
        overrides: [
          {
            kind: "break_glass",
            checks: ["expand"],
            actor: "rm",
            createdAt: at(0),
            expiresAt: at(9),
            confirmedAt: at(0),
          },
        ],
      }),
      policy,
      at(2),
    );
    expect(overridden.allowed).toBe(false);
  });

  it("finding 11: eligibility is UNKNOWN when the text held is not the script that ran", () => {
    const run = { release: "r1", migrationName: "c", ranAt: at(3), checksum: "c".repeat(64) };
    expect(scriptThatRan(run, { sql: "SELECT 1;", checksum: "f".repeat(64) })).toBeNull();
    expect(scriptThatRan(run, { sql: null, checksum: null })).toBeNull();
    expect(scriptThatRan(run, { sql: "ALTER TABLE t DROP COLUMN c;", checksum: "c".repeat(64) })).toBe(
      "ALTER TABLE t DROP COLUMN c;",
    );
    const verdict = rollbackEligibility({
      targetVersion: "1.0.0",
      deployments: [{ version: "1.0.0", deployedAt: at(0), manifest: ["users.email"] }],
      contracts: [contractFact(run, null)],
    });
    expect(verdict).toMatchObject({ verdict: "UNKNOWN", reasons: [{ kind: "unreadable_contract" }] });
  });
});
