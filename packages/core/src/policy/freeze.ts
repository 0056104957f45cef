import type { FreezeWindow, Policy } from "./schema.ts";

export interface ActiveFreeze {
  reason: string;
  until: Date;
}

const MINUTE = 60_000;

/** The freeze window in force at `now`, with when it ends, or null. */
export function activeFreeze(policy: Pick<Policy, "freezes">, now: Date): ActiveFreeze | null {
  let found: ActiveFreeze | null = null;
  for (const freeze of policy.freezes) {
    const until = freezeEnd(freeze, now);
    if (until && (!found || until > found.until)) found = { reason: freeze.reason, until };
  }
  return found;
}

function freezeEnd(freeze: FreezeWindow, now: Date): Date | null {
  if (freeze.kind === "range") {
    const from = Date.parse(freeze.from);
    const until = Date.parse(freeze.until);
    return now.getTime() >= from && now.getTime() < until ? new Date(until) : null;
  }
  const inside = (at: number) => insideWeekly(freeze, localTime(new Date(at), freeze.timeZone));
  if (!inside(now.getTime())) return null;
  // Walk forward through local time (coarse, then by the minute) rather than computing
  // offsets, so a DST change inside the window cannot shift its end.
  let at = now.getTime() - (now.getTime() % MINUTE);
  while (inside(at + 15 * MINUTE)) at += 15 * MINUTE;
  while (inside(at)) at += MINUTE;
  return new Date(at);
}

function insideWeekly(
  freeze: Extract<FreezeWindow, { kind: "weekly" }>,
  local: { day: number; minutes: number },
): boolean {
  const start = minutes(freeze.start);
  const end = minutes(freeze.end);
  if (end > start) return freeze.days.includes(local.day) && local.minutes >= start && local.minutes < end;
  // Overnight: from `start` on a listed day until `end` on the next day.
  const yesterday = (local.day + 6) % 7;
  return (
    (freeze.days.includes(local.day) && local.minutes >= start) ||
    (freeze.days.includes(yesterday) && local.minutes < end)
  );
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
}

const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Day of week and minutes since local midnight at `at` in `timeZone`. */
export function localTime(at: Date, timeZone: string): { day: number; minutes: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return { day: weekdays[parts.weekday!]!, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}
