import type { EventBody } from "../contract/events.ts";

// Times a pipeline claims are information (the server's clock at receipt gates everything), but
// they are stored, and their distance from receipt is stored as a whole number of seconds in a
// PostgreSQL `integer`. A time no pipeline could mean is refused as bad input (400, naming the
// field) before anything is recorded: nothing earlier than 2000, nothing more than a day ahead
// of receipt. Within those bounds the skew always fits an `integer` (until receipt in 2068).

/** No event of a schema-change pipeline happened before this. */
export const EARLIEST_EVENT_TIME = new Date(Date.UTC(2000, 0, 1));
/** How far ahead of the server's clock a pipeline's clock may be before its time is refused. */
export const LATEST_EVENT_SECONDS_AHEAD = 86_400;

/** Seconds between a claimed time and receipt when it claims the future (over a minute) or more than an hour ago (flagged in the audit trail); null otherwise. */
export function clockSkewSeconds(occurredAt: string, receivedAt: Date): number | null {
  const seconds = Math.round((Date.parse(occurredAt) - receivedAt.getTime()) / 1000);
  return seconds > 60 || seconds < -3600 ? seconds : null;
}

/** Every time in the event that no pipeline could mean, with the field's path (as the schema's errors name it). */
export function implausibleEventTimes(body: EventBody, receivedAt: Date): Array<{ path: string; message: string }> {
  const times: Array<[path: string, value: string | null | undefined]> = [["occurred_at", body.occurred_at]];
  if (body.type === "database.inspected")
    times.push(
      ["data.server.started_at", body.data.server.started_at],
      ["data.statistics.stats_reset", body.data.statistics.stats_reset],
    );
  const latest = receivedAt.getTime() + LATEST_EVENT_SECONDS_AHEAD * 1000;
  return times.flatMap(([path, value]) => {
    if (value === null || value === undefined) return [];
    const ms = Date.parse(value);
    if (ms >= EARLIEST_EVENT_TIME.getTime() && ms <= latest) return [];
    return [
      {
        path,
        message: `${value} is not a plausible time: send a time from 2000 on, at most a day ahead of the server's clock (${receivedAt.toISOString()}).`,
      },
    ];
  });
}
