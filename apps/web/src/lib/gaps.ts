export interface ChartPoint {
  t: number;
  /** null: no data here (a gap in a pulled source), drawn as a break in the line. */
  value: number | null;
}

/** Breaks a series where consecutive points are further apart than `maxGapMs`, so a chart draws the gap instead of bridging it. */
export function withGaps(points: ChartPoint[], maxGapMs: number | null): ChartPoint[] {
  if (maxGapMs === null) return points;
  return points.flatMap((p, i) => {
    const previous = points[i - 1];
    return previous && p.t - previous.t > maxGapMs ? [{ t: previous.t + 1, value: null }, p] : [p];
  });
}
