import { describe, expect, it } from "vitest";
import { withGaps } from "./gaps";

describe("chart gaps", () => {
  it("breaks the line where samples are further apart than the policy allows, and only there", () => {
    const points = [0, 60, 120, 600, 660].map((s) => ({ t: s * 1000, value: 99.9 }));
    expect(withGaps(points, 180_000).map((p) => p.value)).toEqual([99.9, 99.9, 99.9, null, 99.9, 99.9]);
    expect(withGaps(points, null)).toBe(points);
  });
});
