// How long a sign-in lasts, and when it ends early. A session is valid from its sign-in for
// a fixed number of hours, never extended by use, and ends when the user's sessions were
// revoked after it began (sign-out, a role taken away).

export interface SessionFacts {
  /** When the person signed in (carried in the session token); absent in tokens that predate it. */
  signedInAt: Date | null;
  /** The user's `sessions_revoked_at`: every session that began before it has ended. */
  revokedAt: Date | null;
  lifetimeHours: number;
  now: Date;
}

export type SessionStatus =
  { valid: true; expiresAt: Date } | { valid: false; reason: "unknown" | "expired" | "revoked" };

export function sessionStatus(facts: SessionFacts): SessionStatus {
  if (!facts.signedInAt || Number.isNaN(facts.signedInAt.getTime())) return { valid: false, reason: "unknown" };
  const expiresAt = new Date(facts.signedInAt.getTime() + facts.lifetimeHours * 3_600_000);
  if (facts.revokedAt && facts.revokedAt.getTime() >= facts.signedInAt.getTime())
    return { valid: false, reason: "revoked" };
  if (facts.now.getTime() >= expiresAt.getTime()) return { valid: false, reason: "expired" };
  return { valid: true, expiresAt };
}
