import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sessionStatus } from "./session.ts";

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const dateArb = fc.integer({ min: 0, max: 30 * 24 * HOUR }).map((ms) => new Date(T0 + ms));
const hoursArb = fc.integer({ min: 1, max: 48 });

describe("session rules", () => {
  it("finding 12: a session ends a fixed time after sign-in, however often it is used", () => {
    fc.assert(
      fc.property(
        dateArb,
        hoursArb,
        fc.array(fc.integer({ min: 0, max: 72 * HOUR }), { minLength: 1, maxLength: 20 }),
        (signedInAt, hours, uses) => {
          for (const offset of uses.sort((a, b) => a - b)) {
            const status = sessionStatus({
              signedInAt,
              revokedAt: null,
              lifetimeHours: hours,
              now: new Date(signedInAt.getTime() + offset),
            });
            expect(status.valid).toBe(offset < hours * HOUR);
            if (status.valid) expect(status.expiresAt.getTime()).toBe(signedInAt.getTime() + hours * HOUR);
          }
        },
      ),
    );
  });

  it("finding 12: a revocation ends every session that began before it, and none that began after", () => {
    fc.assert(
      fc.property(dateArb, dateArb, hoursArb, (signedInAt, revokedAt, hours) => {
        const status = sessionStatus({ signedInAt, revokedAt, lifetimeHours: hours, now: signedInAt });
        expect(status.valid).toBe(signedInAt.getTime() > revokedAt.getTime());
        if (!status.valid) expect(status.reason).toBe("revoked");
      }),
    );
  });

  it("finding 12: a token without its sign-in time is not a session", () => {
    fc.assert(
      fc.property(dateArb, hoursArb, (now, hours) => {
        expect(sessionStatus({ signedInAt: null, revokedAt: null, lifetimeHours: hours, now })).toEqual({
          valid: false,
          reason: "unknown",
        });
      }),
    );
  });
});
