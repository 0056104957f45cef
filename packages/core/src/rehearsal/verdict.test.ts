import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REHEARSAL_OUTCOMES } from "../contract/rehearsal.ts";
import { rehearsed, report } from "../../test/rehearsal.ts";
import { rehearsalCounts, rehearsalExitCode, rehearsalVerdict } from "./verdict.ts";

describe("the exit code of a rehearsal", () => {
  it("is 0 when every statement passed or is noise", () => {
    expect(rehearsalExitCode(report([rehearsed("passed", "SELECT 1"), rehearsed("noise", "SELECT x FROM gone")]))).toBe(
      0,
    );
    expect(rehearsalExitCode(report([]))).toBe(0);
  });

  it("is 1 on a proof, even beside unverifiable statements", () => {
    const r = report([
      rehearsed("unverifiable", "SELECT st_x(p) FROM places"),
      rehearsed("proof", "SELECT email FROM users"),
    ]);
    expect(rehearsalVerdict(r)).toBe("unsafe");
    expect(rehearsalExitCode(r)).toBe(1);
  });

  it("is 3 when statements are unverifiable and none is a proof", () => {
    const r = report([rehearsed("passed", "SELECT 1"), rehearsed("unverifiable", "SELECT st_x(p) FROM places")]);
    expect(rehearsalVerdict(r)).toBe("unverifiable");
    expect(rehearsalExitCode(r)).toBe(3);
  });

  it("a missing extension alone, with no statement needing it, does not make it unverifiable", () => {
    expect(rehearsalExitCode(report([rehearsed("passed", "SELECT 1")], ["postgis"]))).toBe(0);
  });

  it("counts add up and decide the code (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...REHEARSAL_OUTCOMES), { maxLength: 50 }), (outcomes) => {
        const r = report(outcomes.map((o, i) => rehearsed(o, `SELECT ${i}`)));
        const c = rehearsalCounts(r);
        expect(c.statements).toBe(outcomes.length);
        expect(c.passed + c.proof + c.noise + c.unverifiable).toBe(outcomes.length);
        const expected = outcomes.includes("proof") ? 1 : outcomes.includes("unverifiable") ? 3 : 0;
        expect(rehearsalExitCode(r)).toBe(expected);
        // Order never matters.
        expect(rehearsalExitCode(report([...r.statements].reverse()))).toBe(expected);
      }),
    );
  });
});
