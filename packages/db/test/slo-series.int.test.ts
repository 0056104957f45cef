import { describe, expect, it } from "vitest";
import { sloSeries } from "../src/queries/slo-series.ts";
import { sloSnapshots } from "../src/schema/index.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase } from "./harness.ts";

const { db } = await testDatabase();

describe("SLO series", () => {
  it("aggregates snapshots into at most the asked number of buckets, keeping the worst value", async () => {
    const { rollouts } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const from = new Date("2026-11-01T00:00:00Z");
    const rows = Array.from({ length: 5000 }, (_, i) => ({ rolloutId, observedAt: new Date(from.getTime() + i * 60_000), availability: i === 2500 ? 97.5 : 99.95, errorBudgetRemaining: 0.8, burnRate: i === 4000 ? 9 : 0.5 }));
    for (let i = 0; i < rows.length; i += 1000) await db.insert(sloSnapshots).values(rows.slice(i, i + 1000));
    const series = await sloSeries(db, { rolloutId, from, to: new Date(from.getTime() + 5000 * 60_000), points: 100 });
    expect(series.length).toBeLessThanOrEqual(101);
    expect(series.reduce((n, p) => n + p.samples, 0)).toBe(5000);
    expect(Math.min(...series.map((p) => p.availability))).toBe(97.5);
    expect(Math.max(...series.map((p) => p.burnRate))).toBe(9);
    expect(series.every((p, i) => i === 0 || p.at > series[i - 1]!.at)).toBe(true);
  });
});
