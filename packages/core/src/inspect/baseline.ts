// Which inspection a rollout's usage check compares with: one taken for that rollout (the event
// named its release), flagged by the pipeline as the window-start inspection up to ten minutes
// before the window started, or else its first one after the start. Another release's
// inspection in the same environment, however close in time, is not its baseline.

/** How long before the window's start a flagged window-start inspection still counts. */
export const WINDOW_START_LEAD_MS = 10 * 60_000;

export interface BaselineCandidate {
  /** The rollout whose event carried the inspection (null: its rollout was deleted). */
  rolloutId: string | null;
  windowStart: boolean;
  receivedAt: Date;
}

/** Whether `inspection` may be the window-start inspection of `rollout`. */
export function mayBeBaseline(
  inspection: BaselineCandidate,
  rollout: { id: string; windowStartedAt: Date | null },
): boolean {
  if (!rollout.windowStartedAt || inspection.rolloutId !== rollout.id) return false;
  const lead = rollout.windowStartedAt.getTime() - inspection.receivedAt.getTime();
  return lead <= 0 || (inspection.windowStart && lead <= WINDOW_START_LEAD_MS);
}
