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
        // Issue 26: the account's own limit counts its failures from this address (pairFailures).
        const decision = signInThrottle({ pairFailures: accountFailures, accountFailures, addressFailures, now: NOW });
        const refused =
          inWindow(accountFailures) >= SIGN_IN_LIMITS.perAccountAddress ||
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
        const decision = signInThrottle({
          pairFailures: accountFailures,
          accountFailures,
          addressFailures: [],
          now: NOW,
        });
        if (decision.allowed) return;
        const later = new Date(NOW.getTime() + decision.retryAfterSeconds * 1000);
        expect(
          signInThrottle({ pairFailures: accountFailures, accountFailures, addressFailures: [], now: later }).allowed,
        ).toBe(true);
      }),
    );
  });

  it("issue 26 finding 13: failures from other addresses never lock the owner's address out for longer than the capped delay", () => {
    fc.assert(
      fc.property(failuresArb, failuresArb, (otherAddresses, ownerEarlier) => {
        // The owner's own address has fewer failures than its limits; every other failure on the account came from elsewhere.
        const own = ownerEarlier.slice(0, SIGN_IN_LIMITS.perAccountAddress - 1);
        const decision = signInThrottle({
          pairFailures: own,
          accountFailures: [...otherAddresses, ...own],
          addressFailures: own,
          now: NOW,
        });
        expect(decision.allowed).toBe(true);
        if (decision.allowed) expect(decision.delayMs).toBeLessThanOrEqual(SIGN_IN_LIMITS.slowMaxMs);
      }),
    );
  });

  it("issue 26 finding 13: the account-wide slow-down grows with the account's failures and stops at its cap", () => {
    const delays = [0, 4, 5, 6, 7, 8, 20, 100].map((n) => {
      const failures = Array.from({ length: n }, (_, i) => new Date(NOW.getTime() - (i + 1) * 1000));
      const decision = signInThrottle({ pairFailures: [], accountFailures: failures, addressFailures: [], now: NOW });
      return decision.allowed ? decision.delayMs : -1;
    });
    expect(delays[0]).toBe(0);
    expect(delays[1]).toBe(0);
    for (let i = 3; i < delays.length; i += 1) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays[2]).toBeGreaterThan(0);
    expect(delays.at(-1)).toBe(SIGN_IN_LIMITS.slowMaxMs);
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
