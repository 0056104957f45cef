import { describe, expect, it } from "vitest";
import { grantedUnits, reservationSize } from "./rate-limit.ts";

describe("rate-limit reservations", () => {
  it("reserves one request at a time under a small limit, so it is counted exactly", () => {
    expect(reservationSize(60, 0)).toBe(1);
    expect(reservationSize(5, 4)).toBe(1);
    expect(reservationSize(60, 75)).toBe(1);
  });

  it("reserves a hundredth of what is left under a large limit, shrinking towards the limit", () => {
    expect(reservationSize(100_000_000, 0)).toBe(1_000_000);
    expect(reservationSize(600, 0)).toBe(6);
    expect(reservationSize(600, 450)).toBe(1);
  });

  it("grants only what fits under the limit, never more than was asked", () => {
    expect(grantedUnits(60, 10, 6)).toBe(6);
    expect(grantedUnits(60, 63, 6)).toBe(3);
    expect(grantedUnits(60, 66, 6)).toBe(0);
    expect(grantedUnits(60, 200, 1)).toBe(0);
  });
});
