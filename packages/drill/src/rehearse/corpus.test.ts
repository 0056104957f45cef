import { describe, expect, it } from "vitest";
import { REHEARSAL_CORPUS, type RehearsalCase } from "../../test/rehearsal-corpus.ts";
import { rehearse } from "./index.ts";

// The engine against the rehearsal corpus (packages/drill/test/rehearsal-corpus.ts, whose truth
// is checked on real PostgreSQL): every case's statement, rehearsed with its breaking contract,
// is proof; with its harmless contract, it passes. A case's truth may depend on the value bound
// (the harmless contract drops an enum label the application never binds), so the statement
// carries the case's `params`, as a rehearsal with known values does; the engine's own
// type-shaped values are tested on the cases a name match misses in rehearse.test.ts.

async function outcome(c: RehearsalCase, contract: string) {
  const report = await rehearse({
    before: { migrations: [{ name: `${c.name}.sql`, sql: c.schema }] },
    expand: "",
    contract,
    statements: [{ text: c.statement, ...(c.params ? { params: c.params } : {}) }],
  });
  return report.statements[0]!;
}

describe("the rehearsal corpus", () => {
  it("has the cases the issue asks for", () => {
    expect(REHEARSAL_CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  describe.each(REHEARSAL_CORPUS)("$name ($orm)", (c) => {
    it("is proof with the breaking contract", async () => {
      const result = await outcome(c, c.breaks);
      expect(result.outcome, JSON.stringify(result)).toBe("proof");
    });
    it("passes with the harmless contract", async () => {
      const result = await outcome(c, c.harmless);
      expect(result.outcome, JSON.stringify(result)).toBe("passed");
    });
  });
});
