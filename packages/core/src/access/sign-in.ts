// Who may sign in, and when to stop listening: failure throttling, OpenID e-mail
// verification and the ROLLGATE_ADMIN_EMAILS bootstrap.

export const SIGN_IN_LIMITS = {
  /** Failures count for this long. */
  windowSeconds: 15 * 60,
  /** Failed attempts for one account from one client address within the window before that address's sign-in to it pauses. */
  perAccountAddress: 5,
  /** Failed attempts per client address within the window (an office shares one address). */
  perAddress: 20,
  /** Failed attempts for one account, from any address, after which every attempt on it is slowed down. */
  slowAfter: 5,
  /** The slow-down's first step; it doubles with each further failure, up to `slowMaxMs`. */
  slowBaseMs: 500,
  slowMaxMs: 4000,
};
export type SignInLimits = typeof SIGN_IN_LIMITS;

export type ThrottleDecision =
  | { allowed: true; /** Wait this long before checking the password (the account-wide slow-down). */ delayMs: number }
  | { allowed: false; scope: "account" | "address"; retryAfterSeconds: number; message: string };

/**
 * Whether a password may be checked now. A client address is paused after too many failures from
 * it (for any account), and for one account after too many failures for that account from that
 * address. Other addresses' failures on the account never pause anyone: they only slow every
 * attempt on the account down, by a delay that grows with them and stops at `slowMaxMs`. So an
 * attacker elsewhere cannot lock the owner out, and still gets at most `perAccountAddress` guesses
 * per address and window, each slowed down.
 */
export function signInThrottle(input: {
  /** This account's failures from this client address. */
  pairFailures: readonly Date[];
  /** This account's failures from any address. */
  accountFailures: readonly Date[];
  /** This address's failures for any account. */
  addressFailures: readonly Date[];
  now: Date;
  limits?: SignInLimits;
}): ThrottleDecision {
  const limits = input.limits ?? SIGN_IN_LIMITS;
  const windowMs = limits.windowSeconds * 1000;
  const recentOf = (failures: readonly Date[]) =>
    failures
      .map((d) => d.getTime())
      .filter((t) => t <= input.now.getTime() && t > input.now.getTime() - windowMs)
      .sort((a, b) => a - b);
  for (const [scope, failures, max] of [
    ["address", input.addressFailures, limits.perAddress],
    ["account", input.pairFailures, limits.perAccountAddress],
  ] as const) {
    const recent = recentOf(failures);
    if (recent.length < max) continue;
    // Sign-in resumes when enough of these failures have left the window.
    const resumesAt = recent[recent.length - max]! + windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((resumesAt - input.now.getTime()) / 1000));
    return { allowed: false, scope, retryAfterSeconds, message: pausedMessage(scope, retryAfterSeconds) };
  }
  const beyond = recentOf(input.accountFailures).length - limits.slowAfter;
  const delayMs = beyond < 0 ? 0 : Math.min(limits.slowMaxMs, limits.slowBaseMs * 2 ** Math.min(beyond, 30));
  return { allowed: true, delayMs };
}

/** The sentence a refused sign-in shows. */
export function pausedMessage(scope: "account" | "address", retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  const whose = scope === "account" ? "this account from your network address" : "your network address";
  return `Too many failed sign-ins for ${whose}: sign-in is paused. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or ask an admin.`;
}

/**
 * An OpenID provider's `email_verified` claim: only `true` is proof. A missing claim is
 * refused unless the deployment says its provider only issues verified addresses.
 */
export function oidcEmailAccepted(claim: unknown, acceptMissing: boolean): boolean {
  if (claim === true || claim === "true") return true;
  return claim === undefined && acceptMissing;
}

/** ROLLGATE_ADMIN_EMAILS bootstraps the first admin only: never once an admin exists. */
export function bootstrapAdmin(input: { email: string; listed: readonly string[]; adminExists: boolean }): boolean {
  return !input.adminExists && input.listed.includes(input.email.trim().toLowerCase());
}
