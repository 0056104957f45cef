// How many rows the next batch takes, so that a batch lasts about the target: the size scales by
// target / duration, but by at most ×2 up and ×½ down a step, and not at all while the duration is
// within ±25 % of the target (a dead band, so noise does not make it hunt). Under a cost that grows
// with the size it moves toward the target without crossing it back and forth.

export interface BatchSizeBounds {
  min: number;
  max: number;
}

export const BATCH_SIZE_DEFAULTS = { initial: 1000, min: 10, max: 50_000, targetMs: 200 } as const;

/** Within ±this fraction of the target, the size stays. */
export const DEAD_BAND = 0.25;
export const MAX_GROWTH = 2;
export const MAX_SHRINK = 0.5;

export function clampBatchSize(size: number, bounds: BatchSizeBounds): number {
  return Math.min(bounds.max, Math.max(bounds.min, Math.round(size)));
}

/**
 * The next batch's size from the last one's size and duration. A batch that selected fewer rows
 * than it asked for (the end of the table) says nothing about the cost of a full one: pass its
 * size as requested and `full: false`, and the size stays.
 */
export function nextBatchSize(input: {
  size: number;
  durationMs: number;
  targetMs: number;
  bounds: BatchSizeBounds;
  full?: boolean;
}): number {
  const { size, durationMs, targetMs, bounds } = input;
  if (input.full === false) return clampBatchSize(size, bounds);
  const ratio = targetMs / Math.max(durationMs, 1);
  if (Math.abs(durationMs - targetMs) <= DEAD_BAND * targetMs) return clampBatchSize(size, bounds);
  const factor = Math.min(MAX_GROWTH, Math.max(MAX_SHRINK, ratio));
  return clampBatchSize(size * factor, bounds);
}
