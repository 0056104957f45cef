// Who may sign in, and when to stop listening: failure throttling, OpenID e-mail
// verification and the ROLLGATE_ADMIN_EMAILS bootstrap.

export const SIGN_IN_LIMITS = {
  /** Failures count for this long. */
  windowSeconds: 15 * 60,
  /** Failed attempts per account within the window before sign-in to it pauses. */
  perAccount: 5,
  /** Failed attempts per client address within the window (an office shares one address). */
  perAddress: 20,
};
export type SignInLimits = typeof SIGN_IN_LIMITS;

export type ThrottleDecision =
  { allowed: true } | { allowed: false; scope: "account" | "address"; retryAfterSeconds: number; message: string };

/** Whether a password may be checked now, given the recent failures for the account and the address. */
export function signInThrottle(input: {
  accountFailures: readonly Date[];
  addressFailures: readonly Date[];
  now: Date;
  limits?: SignInLimits;
}): ThrottleDecision {
  const limits = input.limits ?? SIGN_IN_LIMITS;
  const windowMs = limits.windowSeconds * 1000;
  for (const [scope, failures, max] of [
    ["account", input.accountFailures, limits.perAccount],
    ["address", input.addressFailures, limits.perAddress],
  ] as const) {
    const recent = failures
      .map((d) => d.getTime())
      .filter((t) => t <= input.now.getTime() && t > input.now.getTime() - windowMs)
      .sort((a, b) => a - b);
    if (recent.length < max) continue;
    // Sign-in resumes when enough of these failures have left the window.
    const resumesAt = recent[recent.length - max]! + windowMs;
    const retryAfterSeconds = Math.max(1, Math.ceil((resumesAt - input.now.getTime()) / 1000));
    return { allowed: false, scope, retryAfterSeconds, message: pausedMessage(scope, retryAfterSeconds) };
  }
  return { allowed: true };
}

/** The sentence a refused sign-in shows. */
export function pausedMessage(scope: "account" | "address", retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  const whose = scope === "account" ? "this account" : "your network address";
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
