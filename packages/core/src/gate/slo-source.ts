import { utcText } from "../format.ts";
import type { Policy } from "../policy/index.ts";
import type { SloPullFacts } from "./facts.ts";

/**
 * Why the SLOs cannot be judged from the policy's pulled source right now, or null when they
 * can: the newest pull failed (its error is the reason), or no good sample arrived for longer
 * than the policy tolerates. After the window ends the gap is measured up to its end.
 */
export function sloSourceProblem(
  pulls: SloPullFacts | undefined,
  policy: Policy,
  windowStartedAt: Date | null,
  windowEndsAt: Date | null,
  now: Date,
): string | null {
  const source = policy.sloSource;
  if (!source || !windowStartedAt) return null;
  const last = pulls?.lastOkAt ?? null;
  const since = last && last > windowStartedAt ? last : windowStartedAt;
  const name = source.kind;
  const attempt = pulls?.lastAttempt ?? null;
  if (attempt && !attempt.ok)
    return `No SLO data from ${name} since ${utcText(since)}: ${attempt.error ?? "the query failed"}.`;
  const reference = windowEndsAt && windowEndsAt < now ? windowEndsAt : now;
  const gapSeconds = Math.floor((reference.getTime() - since.getTime()) / 1000);
  if (gapSeconds > source.maxGapSeconds) {
    const reason = last
      ? `no good sample for ${gapSeconds} s (the policy allows ${source.maxGapSeconds} s)`
      : `no sample yet, ${gapSeconds} s into the window (the policy allows ${source.maxGapSeconds} s)`;
    return `No SLO data from ${name} since ${utcText(since)}: ${reason}.`;
  }
  return null;
}
