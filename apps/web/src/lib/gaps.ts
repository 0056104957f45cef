import type { ChartPoint } from "@/components/charts/chart";

/** Breaks a series where consecutive points are further apart than `maxGapMs`, so a chart draws the gap instead of bridging it. */
export function withGaps(points: ChartPoint[], maxGapMs: number | null): ChartPoint[] {
  if (maxGapMs === null) return points;
  return points.flatMap((p, i) => {
    const previous = points[i - 1];
    return previous && p.t - previous.t > maxGapMs ? [{ t: previous.t + 1, value: null }, p] : [p];
  });
}
