/** How far a PagerDuty event's `occurred_at` may be from its receipt, either way (PagerDuty signs no timestamp). */
export const PAGERDUTY_TOLERANCE_MS = 15 * 60_000;

/** Why a PagerDuty event is refused as stale, or null when it occurred within the tolerance of its receipt. */
export function pagerDutyStale(occurredAt: string, receivedAt: Date): string | null {
  const age = receivedAt.getTime() - Date.parse(occurredAt);
  if (Math.abs(age) <= PAGERDUTY_TOLERANCE_MS) return null;
  return `The event occurred at ${occurredAt}, outside the ${PAGERDUTY_TOLERANCE_MS / 60_000}-minute tolerance: refused as stale.`;
}
