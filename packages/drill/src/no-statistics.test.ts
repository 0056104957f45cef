import { describe, expect, it, vi } from "vitest";

// Where the embedded database cannot load pg_stat_statements, the drill still runs: the new
// check shows as unknown, with the reason, and is informational for the drill's sake.
vi.mock("@electric-sql/pglite/contrib/pg_stat_statements", () => {
  throw new Error("extension bundle missing");
});
const { safeScenario } = await import("./safe.ts");

describe("the drill without statement statistics", () => {
  it("shows 'nothing still uses what the contract removes' as unknown and says why, and every step still goes as expected", async () => {
    const run = await safeScenario({ windowMs: 300 });
    const start = run.steps.find((s) => s.title.startsWith("rollgate inspect reads"))!;
    expect(start.detail).toMatch(/no statement statistics: the embedded PGlite could not load pg_stat_statements \(/);
    const worker = run.steps.find((s) => s.title.startsWith("a forgotten v1 worker"))!;
    expect(worker.title).toMatch(/without statistics the new check is unknown/);
    expect(worker.error).toMatch(/^unknown: The window-start inspection had no statement statistics/);
    for (const step of run.steps) expect(step.ok, `${step.title}: ${step.detail}`).toBe(true);
    expect(run.finalState).toBe("contracted");
  }, 60_000);
});
