import type { Role } from "../types.ts";

// Who may read what. Pages and route handlers ask `mayRead`; the proxy asks
// `anonymousMayOpen` for an early redirect, but the pages' own check is the one that counts.

/** A signed-in person with the roles the database has for them now. `null` is anonymous. */
export interface Reader {
  roles: ReadonlyArray<{ role: Role; serviceId: string | null }>;
}

export type Readable =
  /** `/` and `/api/dashboard/overview`: every service's rollouts and gates. */
  | { kind: "overview" }
  /** `/rollback`: "can I roll back?" for any service. */
  | { kind: "rollback" }
  /** `/drill` and `POST /api/drill`. */
  | { kind: "drill" }
  /** A rollout page and its live gate (`/api/dashboard/gate/…`). */
  | { kind: "rollout"; serviceId: string }
  /** A rollout's evidence bundle: approvers' e-mails and comments, scripts, the audit entries. */
  | { kind: "evidence"; serviceId: string }
  /** `/api/metrics`, with whether a bearer token came and whether it is ROLLGATE_METRICS_TOKEN. */
  | { kind: "metrics"; bearer: "absent" | "valid" | "invalid" }
  /** `/admin/*`. */
  | { kind: "admin" }
  /** `/runbook`, `/api-reference`, `/api/v1/openapi.json`: the product's documentation, no data. */
  | { kind: "documentation" }
  /** `/api/health`, `/api/ready`. */
  | { kind: "probe" };

export interface ReadingSettings {
  /** ROLLGATE_PUBLIC_WALLBOARD=1: anonymous visitors may read the overview (nothing else). */
  publicWallboard: boolean;
}

export type ReadingDecision =
  { allowed: true } | { allowed: false; reason: "unauthenticated" | "forbidden"; message: string };

const ALLOW: ReadingDecision = { allowed: true };
const deny = (reason: "unauthenticated" | "forbidden", message: string): ReadingDecision => ({
  allowed: false,
  reason,
  message,
});

export function mayRead(what: Readable, reader: Reader | null, settings: ReadingSettings): ReadingDecision {
  if (what.kind === "probe" || what.kind === "documentation") return ALLOW;
  if (what.kind === "metrics" && what.bearer === "valid") return ALLOW;
  if (what.kind === "metrics" && what.bearer === "invalid")
    return deny("unauthenticated", "The bearer token is not the metrics token (ROLLGATE_METRICS_TOKEN).");
  if (what.kind === "overview" && !reader && settings.publicWallboard) return ALLOW;
  if (!reader) return deny("unauthenticated", "Sign in to see this.");
  if (reader.roles.length === 0)
    return deny("forbidden", "You are signed in but have no role yet: ask an admin to grant you one.");
  switch (what.kind) {
    case "admin":
      return reader.roles.some((r) => r.role === "admin" && r.serviceId === null)
        ? ALLOW
        : deny("forbidden", "This page is for admins. Ask an admin to grant you the role.");
    case "rollout":
    case "evidence":
      return reader.roles.some((r) => r.serviceId === null || r.serviceId === what.serviceId)
        ? ALLOW
        : deny("forbidden", "You have no role on this service: ask an admin to grant you one.");
    default:
      return ALLOW;
  }
}

/** Paths an anonymous visitor may open without being sent to sign-in (the proxy's early check). */
export function anonymousMayOpen(pathname: string, settings: ReadingSettings): boolean {
  if (pathname === "/sign-in" || pathname.startsWith("/sign-in/")) return true;
  if (pathname === "/runbook" || pathname === "/api-reference")
    return mayRead({ kind: "documentation" }, null, settings).allowed;
  if (pathname === "/") return mayRead({ kind: "overview" }, null, settings).allowed;
  return false;
}
