import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keepSamples, parseLsn, replicaLag, standbyLag, type WalSample } from "./lag.ts";

describe("parseLsn", () => {
  it("reads X/Y as a 64-bit position", () => {
    expect(parseLsn("0/16B3748")).toBe(0x16b3748n);
    expect(parseLsn("1/0")).toBe(1n << 32n);
    expect(() => parseLsn("nope")).toThrow();
  });
});

const samples: WalSample[] = [
  { atMs: 1000, lsn: 100n },
  { atMs: 2000, lsn: 200n },
  { atMs: 3000, lsn: 300n },
];

describe("standbyLag", () => {
  it("a standby whose replay is paused lags since the oldest sample it has not replayed, though replay_lag is NULL", () => {
    expect(standbyLag(samples, { name: "s", replayLsn: 150n, replayLagMs: null }, 5000)).toBe(3000);
  });
  it("takes replay_lag when it is larger", () => {
    expect(standbyLag(samples, { name: "s", replayLsn: 250n, replayLagMs: 900 }, 3500)).toBe(900);
  });
  it("a standby that replayed every sample has caught up, though its replay_lag still shows the pause (stale until its next status reply)", () => {
    expect(standbyLag(samples, { name: "s", replayLsn: 300n, replayLagMs: 3500 }, 5000)).toBe(0);
    expect(standbyLag(samples, { name: "s", replayLsn: 310n, replayLagMs: 3500 }, 5000)).toBe(0);
  });
  it("a standby that replayed everything has no measured lag; an unreadable one has none at all", () => {
    expect(standbyLag(samples, { name: "s", replayLsn: 300n, replayLagMs: null }, 5000)).toBe(0);
    expect(standbyLag(samples, { name: "s", replayLsn: null, replayLagMs: null }, 5000)).toBeNull();
  });
  it("the worst standby counts", () => {
    expect(
      replicaLag(
        samples,
        [
          { name: "a", replayLsn: 300n, replayLagMs: 10 },
          { name: "b", replayLsn: 100n, replayLagMs: 20 },
        ],
        5000,
      ),
    ).toEqual({ lagMs: 3000, standby: "b" });
    expect(replicaLag(samples, [], 5000)).toEqual({ lagMs: null, standby: null });
  });

  it("never shrinks as time passes while the standby stays where it is, and never exceeds the age of the oldest sample or replay_lag", () => {
    const arb = fc.record({
      steps: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 30 }),
      replay: fc.bigInt({ min: 0n, max: 40_000n }),
      replayLag: fc.option(fc.integer({ min: 0, max: 10_000 })),
      later: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(arb, ({ steps, replay, replayLag, later }) => {
        let lsn = 0n;
        const s = steps.map((d, i) => ({ atMs: i * 100, lsn: (lsn += BigInt(d)) }));
        const now = s.at(-1)!.atMs + 1;
        const standby = { name: "x", replayLsn: replay, replayLagMs: replayLag };
        const a = standbyLag(s, standby, now)!;
        const b = standbyLag(s, standby, now + later)!;
        expect(b).toBeGreaterThanOrEqual(a);
        expect(a).toBeLessThanOrEqual(Math.max(now - s[0]!.atMs, replayLag ?? 0));
      }),
    );
  });
});

describe("keepSamples", () => {
  it("drops the samples every standby replayed but the newest of them, and keeps the lag the same", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.bigInt({ min: 0n, max: 5000n }), { maxLength: 3 }),
        (steps, replays) => {
          let lsn = 0n;
          const s = steps.map((d, i) => ({ atMs: i * 10, lsn: (lsn += BigInt(d)) }));
          const standbys = replays.map((r, i) => ({ name: String(i), replayLsn: r, replayLagMs: null }));
          const kept = keepSamples(s, standbys);
          expect(kept.length).toBeGreaterThan(0);
          const now = 10_000;
          expect(replicaLag(kept, standbys, now)).toEqual(replicaLag(s, standbys, now));
        },
      ),
    );
  });
});
