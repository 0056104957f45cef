import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PAGERDUTY_TOLERANCE_MS, pagerDutyStale } from "./pagerduty.ts";

describe("a PagerDuty event's age", () => {
  it("is accepted within fifteen minutes of its receipt either way and refused as stale beyond (property)", () => {
    const receivedAt = new Date("2026-11-02T09:00:00.000Z");
    fc.assert(
      fc.property(fc.integer({ min: -3 * PAGERDUTY_TOLERANCE_MS, max: 3 * PAGERDUTY_TOLERANCE_MS }), (offset) => {
        const occurredAt = new Date(receivedAt.getTime() + offset).toISOString();
        const refusal = pagerDutyStale(occurredAt, receivedAt);
        expect(refusal === null).toBe(Math.abs(offset) <= PAGERDUTY_TOLERANCE_MS);
        if (refusal) expect(refusal).toContain("15-minute tolerance");
      }),
    );
  });
});
