import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pageClock } from "./page-clock";

describe("the page's one clock", () => {
  beforeEach(() => void vi.useFakeTimers({ now: new Date("2026-11-27T12:00:00Z") }));
  afterEach(() => void vi.useRealTimers());

  it("runs one timer for any number of readers, and none once the last has gone", () => {
    const ticks = Array.from({ length: 600 }, () => vi.fn());
    const leave = ticks.map((tick) => pageClock.subscribe(tick));
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(1000);
    expect(ticks.every((tick) => tick.mock.calls.length === 1)).toBe(true);
    expect(pageClock.now()).toBe(Date.parse("2026-11-27T12:00:01Z"));

    leave.slice(1).forEach((go) => go());
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(ticks[0]).toHaveBeenCalledTimes(2);
    expect(ticks[1]).toHaveBeenCalledTimes(1);

    leave[0]!();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("reads the time afresh when a reader starts it again after a pause", () => {
    const leave = pageClock.subscribe(() => {});
    leave();
    vi.advanceTimersByTime(5 * 60_000); // nothing ticks while nobody reads
    const again = pageClock.subscribe(() => {});
    expect(pageClock.now()).toBe(Date.parse("2026-11-27T12:05:00Z"));
    again();
  });
});
