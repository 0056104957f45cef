import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bootstrapAdmin, oidcEmailAccepted, SIGN_IN_LIMITS, signInThrottle } from "./sign-in.ts";

const NOW = new Date(Date.UTC(2026, 0, 1, 12));
const windowMs = SIGN_IN_LIMITS.windowSeconds * 1000;
/** Failures up to an hour before now. */
const failuresArb = fc.array(
  fc.integer({ min: 0, max: 3_600_000 }).map((ago) => new Date(NOW.getTime() - ago)),
  { maxLength: 30 },
);
const inWindow = (failures: Date[], now = NOW) =>
  failures.filter((d) => d.getTime() > now.getTime() - windowMs && d.getTime() <= now.getTime()).length;

describe("sign-in rules", () => {
  it("finding 13: failures pause sign-in per account and per address exactly at the limits, and only within the window", () => {
    fc.assert(
      fc.property(failuresArb, failuresArb, (accountFailures, addressFailures) => {
        const decision = signInThrottle({ accountFailures, addressFailures, now: NOW });
        const refused =
          inWindow(accountFailures) >= SIGN_IN_LIMITS.perAccount ||
          inWindow(addressFailures) >= SIGN_IN_LIMITS.perAddress;
        expect(decision.allowed).toBe(!refused);
        if (!decision.allowed) {
          expect(decision.retryAfterSeconds).toBeGreaterThan(0);
          expect(decision.retryAfterSeconds).toBeLessThanOrEqual(SIGN_IN_LIMITS.windowSeconds);
          expect(decision.message).toMatch(
            /^Too many failed sign-ins for .+: sign-in is paused\. Try again in \d+ minutes?, or ask an admin\.$/,
          );
        }
      }),
    );
  });

  it("finding 13: once the pause it announces has passed, the same failures no longer refuse", () => {
    fc.assert(
      fc.property(failuresArb, (accountFailures) => {
        const decision = signInThrottle({ accountFailures, addressFailures: [], now: NOW });
        if (decision.allowed) return;
        const later = new Date(NOW.getTime() + decision.retryAfterSeconds * 1000);
        expect(signInThrottle({ accountFailures, addressFailures: [], now: later }).allowed).toBe(true);
      }),
    );
  });

  it("finding 16: only email_verified true is proof; a missing claim passes only when the deployment accepts it", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(undefined), fc.boolean(), fc.constantFrom("true", "false", null, 1, 0)),
        fc.boolean(),
        (claim, acceptMissing) => {
          expect(oidcEmailAccepted(claim, acceptMissing)).toBe(
            claim === true || claim === "true" || (claim === undefined && acceptMissing),
          );
        },
      ),
    );
  });

  it("finding 16: ROLLGATE_ADMIN_EMAILS grants admin only to a listed e-mail, and only while no admin exists", () => {
    fc.assert(
      fc.property(
        fc.emailAddress(),
        fc.array(fc.emailAddress(), { maxLength: 3 }),
        fc.boolean(),
        (email, others, adminExists) => {
          const listed = [...others, email.toLowerCase()];
          expect(bootstrapAdmin({ email, listed, adminExists })).toBe(!adminExists);
          expect(bootstrapAdmin({ email, listed: others.filter((o) => o !== email.toLowerCase()), adminExists })).toBe(
            false,
          );
        },
      ),
    );
  });
});
