import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEAD_BAND, MAX_GROWTH, MAX_SHRINK, nextBatchSize } from "./batch-size.ts";

const bounds = fc
  .tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 100_000 }))
  .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));

describe("nextBatchSize", () => {
  it("stays within its bounds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200_000 }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        bounds,
        (size, durationMs, targetMs, b) => {
          const next = nextBatchSize({ size, durationMs, targetMs, bounds: b });
          expect(next).toBeGreaterThanOrEqual(b.min);
          expect(next).toBeLessThanOrEqual(b.max);
          expect(Number.isInteger(next)).toBe(true);
        },
      ),
    );
  });

  it("moves by at most ×2 up and ×½ down a step, and only in the direction of the target", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 10_000 }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        (size, durationMs, targetMs) => {
          const b = { min: 1, max: 1_000_000 };
          const next = nextBatchSize({ size, durationMs, targetMs, bounds: b });
          expect(next).toBeLessThanOrEqual(Math.round(size * MAX_GROWTH));
          expect(next).toBeGreaterThanOrEqual(Math.round(size * MAX_SHRINK));
          if (durationMs > targetMs) expect(next).toBeLessThanOrEqual(size);
          if (durationMs < targetMs) expect(next).toBeGreaterThanOrEqual(size);
        },
      ),
    );
  });

  it("keeps the size while the duration is within the dead band, and after a short last batch", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 10_000 }),
        fc.integer({ min: 10, max: 5000 }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (size, targetMs, x) => {
          const durationMs = targetMs * (1 + x * DEAD_BAND);
          expect(nextBatchSize({ size, durationMs, targetMs, bounds: { min: 1, max: 1e6 } })).toBe(size);
          expect(nextBatchSize({ size, durationMs: 1e9, targetMs, bounds: { min: 1, max: 1e6 }, full: false })).toBe(
            size,
          );
        },
      ),
    );
  });

  it("under a cost proportional to the size, converges into the band without oscillating", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 10, noNaN: true }), // ms per row
        fc.double({ min: 0, max: 50, noNaN: true }), // fixed ms per batch
        fc.integer({ min: 10, max: 20_000 }),
        fc.integer({ min: 50, max: 2000 }),
        (perRow, fixed, start, targetMs) => {
          const b = { min: 10, max: 50_000 };
          let size = start;
          let direction = 0;
          for (let step = 0; step < 60; step += 1) {
            const next = nextBatchSize({ size, durationMs: fixed + perRow * size, targetMs, bounds: b });
            const d = Math.sign(next - size);
            // Never turns back: once it moved one way, it does not move the other.
            if (d !== 0 && direction !== 0) expect(d).toBe(direction);
            if (d !== 0) direction = d;
            size = next;
          }
          // It settled: the next step changes nothing.
          expect(nextBatchSize({ size, durationMs: fixed + perRow * size, targetMs, bounds: b })).toBe(size);
        },
      ),
    );
  });
});
