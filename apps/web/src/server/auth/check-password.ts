import "server-only";
import { SIGN_IN_LIMITS, signInThrottle } from "@rollgate/core/access/sign-in";
import { clearPairFailures, recentSignInFailures, recordSignInFailure } from "@rollgate/db/queries/sign-in";
import { findUserByEmail } from "@rollgate/db/queries/users";
import { database } from "@rollgate/db/runtime";
import { hashPassword, verifyPassword } from "@rollgate/db/secrets";
import { now } from "../clock";

export type PasswordOutcome =
  | { kind: "ok"; user: { id: string; email: string; name: string | null } }
  | { kind: "wrong" }
  | { kind: "paused"; scope: "account" | "address"; retryAfterSeconds: number };

/** A hash of nothing anyone knows: unknown accounts are checked against it, so they take as long as known ones. */
let dummy: string | undefined;
const dummyHash = () => (dummy ??= hashPassword(crypto.randomUUID()));

/**
 * A local-account sign-in: refused while the client address, or this account from this address,
 * has too many recent failures (counted in the database, so across replicas); otherwise, after
 * the account-wide slow-down (a few seconds at most, however many addresses failed), one scrypt
 * check whether the account exists or not, and a failure is recorded.
 */
export async function checkPassword(params: {
  email: string;
  password: string;
  headers: Record<string, string | string[] | undefined>;
}): Promise<PasswordOutcome> {
  const account = params.email.trim().toLowerCase();
  const address = clientAddress(params.headers);
  const at = now();
  const windowStart = new Date(at.getTime() - SIGN_IN_LIMITS.windowSeconds * 1000);
  const { db } = await database();
  const failures = await recentSignInFailures(db, { account, address, since: windowStart });
  const throttle = signInThrottle({
    pairFailures: failures.pair,
    accountFailures: failures.account,
    addressFailures: failures.address,
    now: at,
  });
  if (!throttle.allowed)
    return { kind: "paused", scope: throttle.scope, retryAfterSeconds: throttle.retryAfterSeconds };
  if (throttle.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, throttle.delayMs));
  const user = await findUserByEmail(db, account);
  const matches = verifyPassword(params.password, user?.passwordHash ?? dummyHash());
  if (!user?.passwordHash || !matches) {
    await recordSignInFailure(db, { account, address, at, forgetBefore: windowStart });
    return { kind: "wrong" };
  }
  await clearPairFailures(db, account, address);
  return { kind: "ok", user: { id: user.id, email: user.email, name: user.name } };
}

/**
 * The client's address: the last `x-forwarded-for` entry, which the nearest proxy (the
 * ingress) appended and the client cannot forge; the socket's address when Next set it.
 */
function clientAddress(headers: Record<string, string | string[] | undefined>): string {
  const raw = headers["x-forwarded-for"];
  const forwarded = (Array.isArray(raw) ? raw.join(",") : (raw ?? ""))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const real = headers["x-real-ip"];
  return forwarded.at(-1) ?? (typeof real === "string" && real ? real : "unknown");
}
