import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { at, CONTRACT_SUM, passingFacts, stagingPolicy } from "../../test/builders.ts";
import type { RehearsalProof } from "../contract/rehearsal.ts";
import type { RehearsalFact } from "../eligibility/index.ts";
import { parsePolicy } from "../policy/index.ts";
import { GATE_CHECK_IDS } from "./facts.ts";
import { evaluateGate, rehearsalCheck, type RehearsalGateFact } from "./index.ts";

const required = stagingPolicy({ requireRehearsal: true });
const optional = stagingPolicy();
const proof: RehearsalProof = {
  statement: 'SELECT "email" FROM "users" WHERE "id" = $1',
  error: 'column "email" does not exist',
  sqlstate: "42703",
  step: "prepare",
  calls: 4210,
};
const rehearsal = (patch: Partial<RehearsalFact> = {}): RehearsalFact => ({
  version: "1.9.0",
  contractChecksum: CONTRACT_SUM,
  source: "observed",
  statements: 12,
  passed: 11,
  noise: 0,
  unverifiable: 1,
  proofCount: 0,
  proofs: [],
  receivedAt: at(1),
  ...patch,
});
const fact = (newest: RehearsalFact | null, previousVersion: string | null = "1.9.0"): RehearsalGateFact => ({
  previousVersion,
  newest,
});
const withProof = rehearsal({ passed: 10, proofCount: 1, proofs: [proof] });

describe('the rehearsal check ("The previous version was rehearsed against the contract")', () => {
  it("is pending without a rehearsal of the previous version, naming the version and the command", () => {
    const c = rehearsalCheck(fact(null), CONTRACT_SUM, required);
    expect(c).toMatchObject({ id: "rehearsal", status: "pending", blocking: true });
    expect(c.message).toContain("No rehearsal of 1.9.0 against this release's contract script");
    expect(c.message).toContain("rollgate rehearse --version 1.9.0");
  });

  it("fails with the proof named: statement, PostgreSQL's error and the calls", () => {
    const c = rehearsalCheck(fact(withProof), CONTRACT_SUM, required);
    expect(c.status).toBe("fail");
    expect(c.message).toContain(proof.statement);
    expect(c.message).toContain(proof.error);
    expect(c.message).toContain("called 4210 time(s)");
    expect(c.details).toMatchObject({ kind: "rehearsal", version: "1.9.0", proofCount: 1, proofs: [proof] });
  });

  it("passes with a clean rehearsal, saying what could not be verified", () => {
    const c = rehearsalCheck(fact(rehearsal()), CONTRACT_SUM, required);
    expect(c.status).toBe("pass");
    expect(c.message).toMatch(/11 of 12 statement\(s\) of 1\.9\.0 passed.*1 could not be verified/);
  });

  it("does not count a rehearsal of another contract checksum or another version", () => {
    for (const other of [rehearsal({ contractChecksum: "f".repeat(64) }), rehearsal({ version: "1.8.0" })])
      expect(rehearsalCheck(fact(other), CONTRACT_SUM, required).status).toBe("pending");
  });

  it("is pending when the rehearsal passed nothing, and when no contract script is registered", () => {
    expect(rehearsalCheck(fact(rehearsal({ passed: 0, unverifiable: 12 })), CONTRACT_SUM, required).status).toBe(
      "pending",
    );
    expect(rehearsalCheck(fact(rehearsal()), null, required).status).toBe("pending");
  });

  it("passes when no earlier version was deployed here: there is nothing to roll back to", () => {
    expect(rehearsalCheck(fact(null, null), CONTRACT_SUM, required).status).toBe("pass");
  });

  it("is informational by default: shown, honest, and never holding the gate", () => {
    for (const f of [fact(null), fact(withProof), undefined]) {
      const verdict = evaluateGate(passingFacts({ rehearsal: f }), optional, at(2));
      const c = verdict.checks.find((x) => x.id === "rehearsal")!;
      expect(c.blocking).toBe(false);
      expect(c.status).not.toBe("pass");
      expect(c.message).toContain("informational");
      expect(verdict.allowed).toBe(true);
    }
  });

  it("holds the gate when the policy requires it, and opens it with a clean rehearsal", () => {
    expect(evaluateGate(passingFacts({ rehearsal: fact(null) }), required, at(2)).allowed).toBe(false);
    expect(evaluateGate(passingFacts({ rehearsal: fact(withProof) }), required, at(2)).allowed).toBe(false);
    expect(evaluateGate(passingFacts({ rehearsal: fact(rehearsal()) }), required, at(2)).allowed).toBe(true);
  });

  it("no break-glass override makes a failing or pending rehearsal pass or open the gate", () => {
    fc.assert(
      fc.property(
        fc.subarray([...GATE_CHECK_IDS]),
        fc.boolean(),
        fc.constantFrom(null, withProof),
        (checks, confirmed, newest) => {
          const facts = passingFacts({
            rehearsal: fact(newest),
            overrides: [
              {
                kind: "break_glass",
                checks,
                actor: "oncall@example.com",
                createdAt: at(1),
                expiresAt: at(5),
                confirmedAt: confirmed ? at(1) : null,
              },
            ],
          });
          const verdict = evaluateGate(facts, required, at(2));
          expect(verdict.checks.find((c) => c.id === "rehearsal")!.overridden).not.toBe(true);
          expect(verdict.allowed).toBe(false);
        },
      ),
    );
  });

  it("requireRehearsal is an optional boolean of the policy: absent stays valid, a string is refused", () => {
    const { requireRehearsal: _absent, ...rest } = required;
    expect(parsePolicy(rest).ok).toBe(true);
    const bad = parsePolicy({ ...required, requireRehearsal: "yes" });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => e.path)).toEqual(["requireRehearsal"]);
  });
});
