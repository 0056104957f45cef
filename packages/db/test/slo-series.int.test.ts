import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../src/client.ts";
import { sloSeries } from "../src/queries/slo-series.ts";
import { sloSummary } from "./slo-summary.ts";
import { sloSnapshots } from "../src/schema/index.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase } from "./harness.ts";

const { db } = await testDatabase();

async function insertSnapshots(rows: Array<typeof sloSnapshots.$inferInsert>) {
  for (let i = 0; i < rows.length; i += 1000) await db.insert(sloSnapshots).values(rows.slice(i, i + 1000));
}

describe("SLO series", () => {
  it("aggregates snapshots into at most the asked number of buckets, keeping the worst value", async () => {
    const { rollouts } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const from = new Date("2026-11-01T00:00:00Z");
    await insertSnapshots(
      Array.from({ length: 5000 }, (_, i) => ({
        rolloutId,
        observedAt: new Date(from.getTime() + i * 60_000),
        availability: i === 2500 ? 97.5 : 99.95,
        errorBudgetRemaining: 0.8,
        burnRate: i === 4000 ? 9 : 0.5,
      })),
    );
    const series = await sloSeries(db, { rolloutId, from, to: new Date(from.getTime() + 5000 * 60_000), points: 100 });
    expect(series.length).toBeLessThanOrEqual(101);
    expect(series.reduce((n, p) => n + p.samples, 0)).toBe(5000);
    expect(Math.min(...series.map((p) => p.availability))).toBe(97.5);
    expect(Math.max(...series.map((p) => p.burnRate))).toBe(9);
    expect(series.every((p, i) => i === 0 || p.at > series[i - 1]!.at)).toBe(true);
  });

  it("draws short spans from the raw snapshots in buckets under a minute", async () => {
    const { rollouts } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const from = new Date("2026-11-02T00:00:00Z");
    await insertSnapshots(
      Array.from({ length: 600 }, (_, i) => ({
        rolloutId,
        observedAt: new Date(from.getTime() + i * 1000),
        availability: i === 7 ? 90 : 99.9,
        errorBudgetRemaining: 0.5,
        burnRate: 1,
      })),
    );
    const series = await sloSeries(db, { rolloutId, from, to: new Date(from.getTime() + 600_000), points: 300 });
    expect(series.length).toBe(300);
    expect(series[3]!.availability).toBe(90);
  });

  it("draws spans of hours from the per-minute rollups", async () => {
    const { rollouts } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const from = new Date("2026-11-04T00:00:30Z");
    await insertSnapshots(
      Array.from({ length: 600 }, (_, i) => ({
        rolloutId,
        observedAt: new Date(from.getTime() + i * 10_000),
        availability: i === 300 ? 95 : 99.9,
        errorBudgetRemaining: 0.5,
        burnRate: 1,
      })),
    );
    const series = await sloSeries(db, { rolloutId, from, to: new Date(from.getTime() + 6_000_000), points: 50 });
    expect(series.length).toBeLessThanOrEqual(51);
    expect(series.reduce((n, p) => n + p.samples, 0)).toBe(600);
    expect(Math.min(...series.map((p) => p.availability))).toBe(95);
    // Two-minute buckets, aligned to whole minutes.
    expect(series.every((p) => p.at.getTime() % 60_000 === 0)).toBe(true);
  });

  it("summarises any window exactly as the raw snapshots would, from hourly and per-minute rollups", async () => {
    const { rollouts } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    const start = new Date("2026-11-03T00:00:00Z").getTime();
    // Irregular times (7.3 s apart) and a bad value now and then, so the edges matter.
    await insertSnapshots(
      Array.from({ length: 3000 }, (_, i) => ({
        rolloutId,
        observedAt: new Date(start + i * 7300),
        availability: 99 + ((i * 37) % 100) / 100,
        errorBudgetRemaining: ((i * 13) % 100) / 100,
        burnRate: ((i * 29) % 50) / 10,
      })),
    );
    const windows = [
      [0, 3000 * 7300],
      [12_345, 600_000],
      [61_000, 61_500],
      [59_999, 3_600_001],
      [1_000_000, 15_000_000],
      [3_599_999, 3 * 3_600_000 + 1],
      [1_800_000, 5 * 3_600_000 + 59_999],
      [start, start],
    ];
    for (const [a, b] of windows) {
      const from = new Date(start + a!);
      const to = new Date(start + b!);
      const [raw] = rowsOf<{ samples: number; a: number | null; b: number | null; r: number | null }>(
        await db.execute(sql`select count(*)::int as samples, min(availability) as a, min(error_budget_remaining) as b, max(burn_rate) as r
          from slo_snapshots where rollout_id = ${rolloutId} and observed_at >= ${from.toISOString()}::timestamptz and observed_at <= ${to.toISOString()}::timestamptz`),
      );
      const summary = await sloSummary(db, { rolloutId, from, to });
      expect(summary, `window ${a}..${b}`).toEqual({
        samples: Number(raw!.samples),
        minAvailability: raw!.a,
        minErrorBudgetRemaining: raw!.b,
        maxBurnRate: raw!.r,
      });
    }
  });

  it("refuses to change a snapshot, which would leave the rollups wrong", async () => {
    const { rollouts } = await makeRelease(db);
    const rolloutId = rollouts[0]!.id;
    await insertSnapshots([
      { rolloutId, observedAt: new Date(), availability: 99, errorBudgetRemaining: 1, burnRate: 1 },
    ]);
    await expect(
      db.execute(sql`update slo_snapshots set availability = 100 where rollout_id = ${rolloutId}`),
    ).rejects.toThrow();
  });
});
