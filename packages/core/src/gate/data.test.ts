import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { at, HOUR, passingFacts, stagingPolicy } from "../../test/builders.ts";
import type { SamplesWithheld } from "../contract/data-checks.ts";
import { GATE_CHECK_IDS } from "./facts.ts";
import { dataCheck, evaluateGate, nextGateChange, type DataCheckFact } from "./index.ts";

const policy = stagingPolicy();
const SUM = "a".repeat(64);

function check(newest: DataCheckFact["newest"], patch: Partial<DataCheckFact> = {}): DataCheckFact {
  return { name: "billing-email-copied", checksum: SUM, source: "release", declaredAt: at(-1), newest, ...patch };
}
const run = (hours: number, rows = 0, patch: Partial<NonNullable<DataCheckFact["newest"]>> = {}) => ({
  receivedAt: at(hours),
  rows,
  sampleKeys: [] as string[],
  samplesWithheld: null as SamplesWithheld | null,
  durationMs: 5,
  error: null,
  ...patch,
});

describe("the data check (Data is carried over)", () => {
  it("passes with a plain sentence when the release declares no checks", () => {
    for (const checks of [undefined, []]) {
      const c = dataCheck(checks, at(0), policy, at(2));
      expect(c).toMatchObject({ id: "data", title: "Data is carried over", status: "pass" });
      expect(c.message).toBe("This release declares no data checks, so there is nothing to verify.");
    }
  });

  it("fails naming the check, its count and sample keys", () => {
    const c = dataCheck([check(run(1.5, 7, { sampleKeys: ["11", "12", "13", "14", "15"] }))], at(0), policy, at(2));
    expect(c.status).toBe("fail");
    expect(c.message).toContain('"billing-email-copied" found 7 row(s) (keys 11, 12, 13, 14, 15, …)');
    expect(c.details).toMatchObject({ kind: "data", checks: [{ status: "fail", rows: 7 }] });
  });

  it("fails naming the count and why the sample keys are withheld when they are", () => {
    const c = dataCheck([check(run(1.5, 3, { samplesWithheld: "not_a_key_column" }))], at(0), policy, at(2));
    expect(c.status).toBe("fail");
    expect(c.message).toContain(
      '"billing-email-copied" found 3 row(s) (sample keys withheld: the first column is not part of its table\'s primary key)',
    );
    expect(c.details).toMatchObject({
      kind: "data",
      checks: [{ status: "fail", rows: 3, sampleKeys: [], samplesWithheld: "not_a_key_column" }],
    });
  });

  it("fails naming the error of a check that could not run", () => {
    const c = dataCheck(
      [check(run(1.5, 0, { error: "canceling statement due to statement timeout" }))],
      at(0),
      policy,
      at(2),
    );
    expect(c.status).toBe("fail");
    expect(c.message).toContain('"billing-email-copied" could not run (canceling statement due to statement timeout)');
  });

  it("is pending while no run since the window started exists", () => {
    expect(dataCheck([check(null)], at(0), policy, at(2))).toMatchObject({ status: "pending" });
    // A clean run before the window started does not count.
    const before = dataCheck([check(run(-0.5))], at(0), policy, at(2));
    expect(before.status).toBe("pending");
    expect(before.message).toMatch(/No run since the rollback window started .* for "billing-email-copied"/);
    expect(dataCheck([check(run(1))], null, policy, at(2))).toMatchObject({ status: "pending" });
  });

  it("is pending when the newest run is older than the policy allows", () => {
    const stale = dataCheck([check(run(0.5))], at(0), policy, at(0.5 + 1.01));
    expect(stale.status).toBe("pending");
    expect(stale.message).toMatch(/older than 60 min/);
    const longer = stagingPolicy({ database: { dataCheckMaxAgeSeconds: 2 * 3600 } });
    expect(dataCheck([check(run(0.5))], at(0), longer, at(0.5 + 1.01)).status).toBe("pass");
  });

  it("passes when every check's newest run returned no rows, and names how many", () => {
    const c = dataCheck(
      [check(run(1.5)), check(run(1.8), { name: "backfill-invoices", source: "backfill" })],
      at(0),
      policy,
      at(2),
    );
    expect(c.status).toBe("pass");
    expect(c.message).toMatch(/^All 2 data check\(s\) returned no rows/);
  });

  it("one failing check fails the whole check, whatever the others say", () => {
    const c = dataCheck(
      [check(run(1.5)), check(run(1.6, 2), { name: "other" }), check(null, { name: "never" })],
      at(0),
      policy,
      at(2),
    );
    expect(c.status).toBe("fail");
    expect(c.message).toMatch(/^1 of 3 data check\(s\) fail: "other" found 2 row\(s\)/);
  });

  it("keeps the gate closed when it fails, even when every other check passes", () => {
    const open = evaluateGate(passingFacts({ dataChecks: [check(run(1.5))] }), policy, at(2));
    expect(open.allowed).toBe(true);
    const shut = evaluateGate(passingFacts({ dataChecks: [check(run(1.5, 1))] }), policy, at(2));
    expect(shut.allowed).toBe(false);
    expect(shut.checks.find((c) => c.id === "data")).toMatchObject({ status: "fail", title: "Data is carried over" });
  });

  it("no break-glass override makes a failing or pending data check pass or open the gate", () => {
    fc.assert(
      fc.property(
        fc.subarray([...GATE_CHECK_IDS]),
        fc.boolean(),
        fc.oneof(
          fc.constant(null),
          fc.integer({ min: 1, max: 1000 }).map((rows) => run(1.5, rows)),
        ),
        (checks, confirmed, newest) => {
          const facts = passingFacts({
            dataChecks: [check(newest)],
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
          const verdict = evaluateGate(facts, policy, at(2));
          const data = verdict.checks.find((c) => c.id === "data")!;
          expect(data.status).not.toBe("pass");
          expect(data.overridden).toBeUndefined();
          expect(verdict.allowed).toBe(false);
        },
      ),
    );
  });

  it("tells the long-poll when a clean run grows too old", () => {
    const facts = passingFacts({ dataChecks: [check(run(1.5))] });
    const verdict = evaluateGate(facts, policy, at(2));
    expect(nextGateChange(facts, policy, verdict, at(2))?.getTime()).toBe(at(1.5).getTime() + HOUR + 1);
  });
});
