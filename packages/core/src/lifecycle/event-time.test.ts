import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EventBody } from "../contract/events.ts";
import { SAMPLE_DATA } from "../../test/samples.ts";
import { clockSkewSeconds, EARLIEST_EVENT_TIME, implausibleEventTimes, LATEST_EVENT_SECONDS_AHEAD } from "./index.ts";

const received = new Date("2026-12-07T03:00:00Z");
const snapshot = (occurred_at: string): EventBody => ({
  type: "slo.snapshot",
  service: "s",
  environment: "staging",
  release: "r1",
  occurred_at,
  data: { availability: 99.9, error_budget_remaining: 0.8, burn_rate: 0.2 },
});
const INT4_MAX = 2_147_483_647;

describe("plausible event times", () => {
  it("finding 10: occurred_at in 2100 is refused, naming the field", () => {
    expect(implausibleEventTimes(snapshot("2100-01-01T00:00:00Z"), received)).toEqual([
      { path: "occurred_at", message: expect.stringContaining("not a plausible time") },
    ]);
  });

  it("refuses times before 2000 and over a day ahead of receipt; keeps the rest as information", () => {
    expect(implausibleEventTimes(snapshot("1999-12-31T23:59:59Z"), received)).toHaveLength(1);
    expect(implausibleEventTimes(snapshot("2026-12-08T03:00:01Z"), received)).toHaveLength(1);
    expect(implausibleEventTimes(snapshot("2026-12-08T03:00:00Z"), received)).toEqual([]);
    expect(implausibleEventTimes(snapshot("2000-01-01T00:00:00Z"), received)).toEqual([]);
    expect(clockSkewSeconds("2026-12-07T04:00:00Z", received)).toBe(3600);
    expect(clockSkewSeconds("2026-12-07T03:00:30Z", received)).toBeNull();
  });

  it("names an inspection's server start and statistics reset too", () => {
    const data = SAMPLE_DATA["database.inspected"] as Extract<EventBody, { type: "database.inspected" }>["data"];
    const body: EventBody = {
      type: "database.inspected",
      service: "s",
      environment: "staging",
      release: "r1",
      occurred_at: received.toISOString(),
      data: {
        ...data,
        server: { ...data.server, started_at: "2100-01-01T00:00:00Z" },
        statistics: { ...data.statistics, stats_reset: "1970-01-01T00:00:00Z" },
      },
    };
    expect(implausibleEventTimes(body, received).map((d) => d.path)).toEqual([
      "data.server.started_at",
      "data.statistics.stats_reset",
    ]);
  });

  it("keeps every accepted time's skew within a PostgreSQL integer (receipt up to 2068)", () => {
    fc.assert(
      fc.property(
        fc.date({ min: EARLIEST_EVENT_TIME, max: new Date("2068-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }),
        (receipt, claimed) => {
          const body = snapshot(claimed.toISOString());
          if (implausibleEventTimes(body, receipt).length) return;
          const skew = clockSkewSeconds(body.occurred_at, receipt);
          expect(Math.abs(skew ?? 0)).toBeLessThanOrEqual(INT4_MAX);
          expect(claimed.getTime()).toBeLessThanOrEqual(receipt.getTime() + LATEST_EVENT_SECONDS_AHEAD * 1000);
        },
      ),
      { numRuns: 500 },
    );
  });
});
