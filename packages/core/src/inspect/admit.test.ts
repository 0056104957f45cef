import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { admitInspection, INSPECTION_CLOCK_AHEAD_MS } from "./admit.ts";
import { mayBeBaseline, WINDOW_START_LEAD_MS } from "./baseline.ts";

const server = (now?: string) => ({
  version: "15.8",
  started_at: "2026-11-01T00:00:00.000Z",
  database: "app",
  ...(now ? { now, system_identifier: "7316398991098968221" } : {}),
});
const T = Date.UTC(2026, 11, 7, 3);
const none = { newestTakenAt: null, sameTakenAt: false };

describe("finding 5: which inspections Rollgate stores", () => {
  it("finding 5: refuses the same summary again, and one older than the newest held of that database", () => {
    const at = new Date(T).toISOString();
    expect(admitInspection(server(at), none, new Date(T))).toBeNull();
    expect(admitInspection(server(at), { newestTakenAt: new Date(T), sameTakenAt: true }, new Date(T))).toMatchObject({
      code: "inspection_repeated",
    });
    expect(
      admitInspection(server(at), { newestTakenAt: new Date(T + 1), sameTakenAt: false }, new Date(T)),
    ).toMatchObject({
      code: "inspection_older",
      message: expect.stringMatching(/before the newest one Rollgate holds/),
    });
  });

  it("refuses a database clock more than five minutes ahead of receipt, which would lock out every later inspection", () => {
    const ahead = new Date(T + INSPECTION_CLOCK_AHEAD_MS + 1).toISOString();
    expect(admitInspection(server(ahead), none, new Date(T))).toMatchObject({ code: "inspection_clock_ahead" });
    expect(
      admitInspection(server(new Date(T + INSPECTION_CLOCK_AHEAD_MS).toISOString()), none, new Date(T)),
    ).toBeNull();
  });

  it("stores a summary without the database's clock (older CLIs): the usage check never passes on it", () => {
    expect(admitInspection(server(), { newestTakenAt: new Date(T), sameTakenAt: true }, new Date(T))).toBeNull();
  });

  it("accepts exactly the inspections newer than everything held of that database", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.option(fc.integer({ min: -1e6, max: 1e6 })),
        (taken, newest) => {
          const held = { newestTakenAt: newest === null ? null : new Date(T + newest), sameTakenAt: newest === taken };
          const refused = admitInspection(server(new Date(T + taken).toISOString()), held, new Date(T + 1e6));
          expect(refused === null).toBe(newest === null || newest < taken);
        },
      ),
    );
  });
});

describe("finding 17: the window-start inspection belongs to its rollout", () => {
  const ws = new Date(T);
  const rollout = { id: "r1", windowStartedAt: ws };
  it("finding 17: another rollout's flagged inspection just before the window's start is not its baseline", () => {
    const before = { windowStart: true, receivedAt: new Date(T - 60_000) };
    expect(mayBeBaseline({ ...before, rolloutId: "r0" }, rollout)).toBe(false);
    expect(mayBeBaseline({ ...before, rolloutId: "r1" }, rollout)).toBe(true);
    expect(mayBeBaseline({ ...before, rolloutId: null }, rollout)).toBe(false);
  });
  it("takes a flagged inspection up to ten minutes before the start, and any of its own after it", () => {
    const own = { rolloutId: "r1", windowStart: false };
    expect(mayBeBaseline({ ...own, receivedAt: new Date(T + 1) }, rollout)).toBe(true);
    expect(mayBeBaseline({ ...own, receivedAt: new Date(T - 1) }, rollout)).toBe(false);
    expect(mayBeBaseline({ ...own, windowStart: true, receivedAt: new Date(T - WINDOW_START_LEAD_MS) }, rollout)).toBe(
      true,
    );
    expect(
      mayBeBaseline({ ...own, windowStart: true, receivedAt: new Date(T - WINDOW_START_LEAD_MS - 1) }, rollout),
    ).toBe(false);
    expect(mayBeBaseline({ ...own, receivedAt: new Date(T + 1) }, { id: "r1", windowStartedAt: null })).toBe(false);
  });
});
