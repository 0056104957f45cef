// Who may decide what on a rollout. Routes, server actions and the gate call these and
// nothing else, so each rule lives in exactly one place. Pure: the caller loads the person
// (with the roles they hold *now*) and the rollout, and passes the time.
import type { BackfillControl, BackfillState } from "../contract/backfill.ts";
import type { GateCheckId } from "../gate/facts.ts";
import type { Policy } from "../policy/index.ts";
import type { Role, RolloutState } from "../types.ts";

export interface RoleGrant {
  role: Role;
  /** null: the role applies to every service. */
  serviceId: string | null;
}

export interface Person {
  id: string;
  roles: readonly RoleGrant[];
}

/** The rollout a decision is about, as the rules need it. */
export interface RolloutContext {
  serviceId: string;
  environment: string;
  state: RolloutState;
  policy: Policy;
  /** People the release's author text resolves to (empty: nobody known, so the author could be anyone). */
  authorIds: readonly string[];
  contractChecksum: string | null;
}

export type Decision<T = Role> =
  { ok: true; role: T } | { ok: false; code: "forbidden" | "conflict" | "invalid_request"; reason: string };

/** Checks break-glass may let through: time- and signal-based ones. Never approvals, the
 * lease or expand safety — those are what "destructive DDL only after approval" means. */
export const OVERRIDABLE_CHECKS = [
  "rollback_window",
  "flag",
  "slo",
  "backup",
  "promotion",
  "no_go",
] as const satisfies readonly GateCheckId[];
const CONTRACT_STARTED: RolloutState[] = ["contracting", "contracted", "contract_failed"];
const FAILED: RolloutState[] = ["expand_failed", "contract_failed"];

/** Roles that apply on one service: the global ones and that service's own. */
export function rolesOn(person: Person, serviceId: string): Role[] {
  return [...new Set(person.roles.filter((r) => r.serviceId === null || r.serviceId === serviceId).map((r) => r.role))];
}

export function isGlobalAdmin(person: Person): boolean {
  return person.roles.some((r) => r.role === "admin" && r.serviceId === null);
}

/** The longest a break-glass override or a recovery authorisation lasts in this environment, in minutes. */
export function overrideMaxMinutes(policy: Policy): number {
  return policy.breakGlass.maxDurationSeconds / 60;
}

/** An override or recovery authorisation lasts more than nothing and at most `overrideMaxMinutes`. */
export function overrideDurationAllowed(policy: Policy, minutes: number): boolean {
  return minutes > 0 && minutes <= overrideMaxMinutes(policy);
}

/** Production-like (the environment's flag) unless the policy says otherwise: an override takes effect after a second person confirms. */
export function overrideNeedsConfirmation(policy: Policy, productionLike: boolean): boolean {
  return policy.breakGlass.requireConfirmation ?? productionLike;
}

/**
 * Whether this person could be the release's author. An author Rollgate cannot resolve to a
 * known person could be anyone, so every author rule treats everyone as possibly the author:
 * break-glass, recovery runs, confirming and reviewing overrides wait until the author is
 * resolved (approvals are recorded, but one more is needed: `approvalsNeeded` in the gate).
 */
export function mayBeAuthor(personId: string, authorIds: readonly string[]): boolean {
  return authorIds.length === 0 || authorIds.includes(personId);
}

/** Why an author rule refused: the person is the author, or nobody knows who the author is. */
function authorRefusal(authorIds: readonly string[], asAuthor: string, action: string): Decision {
  return {
    ok: false,
    code: "forbidden",
    reason:
      authorIds.length > 0
        ? asAuthor
        : `The release's author is nobody Rollgate knows, so anyone could be its author and nobody may ${action} yet: an admin links the author's e-mail or login to the person (Admin, Users), or the pipeline sends the author as a known e-mail or login.`,
  };
}

function allowedRole(person: Person, ctx: RolloutContext, allowed: readonly Role[]): Role | null {
  return rolesOn(person, ctx.serviceId).find((r) => allowed.includes(r)) ?? null;
}

function label(roles: readonly Role[]): string {
  return roles.length ? roles.join(", ").replaceAll("_", " ") : "nobody";
}

/** Approve or reject the current contract script, having seen `seenChecksum`. */
export function mayDecideApproval(person: Person, ctx: RolloutContext, seenChecksum: string | null): Decision {
  if (!ctx.contractChecksum)
    return {
      ok: false,
      code: "conflict",
      reason: "This release has no contract script yet, so there is nothing to approve.",
    };
  if (CONTRACT_STARTED.includes(ctx.state))
    return { ok: false, code: "conflict", reason: "The contract has already started; decisions can no longer change." };
  if (seenChecksum !== null && seenChecksum !== ctx.contractChecksum)
    return {
      ok: false,
      code: "conflict",
      reason:
        "The script changed while you were reading: reload the page and review the new contract script before you decide.",
    };
  const allowed = ctx.policy.approvals.allowedRoles;
  const role = allowedRole(person, ctx, allowed);
  if (!role)
    return {
      ok: false,
      code: "forbidden",
      reason: `Your role may not approve contracts of this service in ${ctx.environment}; allowed: ${label(allowed)}. Ask an admin.`,
    };
  // An unresolved author does not refuse approvals: each may be the author's, so the gate
  // needs one more than the policy's count (or refuses, per the policy).
  if (ctx.authorIds.includes(person.id))
    return {
      ok: false,
      code: "forbidden",
      reason: "You are the author of this release; someone else must approve its contract.",
    };
  return { ok: true, role };
}

/** Break glass on chosen failing checks of a rollout. */
export function mayBreakGlass(person: Person, ctx: RolloutContext, checks: readonly string[]): Decision {
  const allowed = ctx.policy.breakGlass.allowedRoles;
  const role = allowedRole(person, ctx, allowed);
  if (!role)
    return {
      ok: false,
      code: "forbidden",
      reason: `Only ${label(allowed)} may break glass on this service in ${ctx.environment}.`,
    };
  if (mayBeAuthor(person.id, ctx.authorIds))
    return authorRefusal(
      ctx.authorIds,
      "You are the author of this release; someone else must decide to break glass on it.",
      "break glass on it",
    );
  const refused = checks.filter((c) => !(OVERRIDABLE_CHECKS as readonly string[]).includes(c));
  if (checks.length === 0)
    return { ok: false, code: "invalid_request", reason: "Choose at least one gate check to override." };
  if (refused.length)
    return {
      ok: false,
      code: "forbidden",
      reason: `Break-glass cannot override ${refused.join(", ")}: approvals, the lease and expand safety always hold. It may override ${OVERRIDABLE_CHECKS.join(", ")}.`,
    };
  return { ok: true, role };
}

/** A recovery run after a failed migration: a named fix script, taken like a break-glass. */
export function mayStartRecovery(person: Person, ctx: RolloutContext): Decision {
  if (!FAILED.includes(ctx.state))
    return { ok: false, code: "conflict", reason: "A recovery run is only for a failed expand or contract migration." };
  const allowed = ctx.policy.breakGlass.allowedRoles;
  const role = allowedRole(person, ctx, allowed);
  if (!role)
    return {
      ok: false,
      code: "forbidden",
      reason: `Only ${label(allowed)} may authorise a recovery run on this service in ${ctx.environment}.`,
    };
  if (mayBeAuthor(person.id, ctx.authorIds))
    return authorRefusal(
      ctx.authorIds,
      "You are the author of this release; someone else must authorise its recovery run.",
      "authorise a recovery run",
    );
  return { ok: true, role };
}

/** The second person who confirms a production override (or recovery run). */
export function mayConfirmOverride(
  person: Person,
  ctx: RolloutContext,
  override: { actorId: string; confirmedAt: Date | null },
): Decision {
  if (override.confirmedAt) return { ok: false, code: "conflict", reason: "This override is already confirmed." };
  if (override.actorId === person.id)
    return { ok: false, code: "forbidden", reason: "A second person must confirm an override; you broke the glass." };
  const allowed = ctx.policy.breakGlass.allowedRoles;
  const role = allowedRole(person, ctx, allowed);
  if (!role)
    return {
      ok: false,
      code: "forbidden",
      reason: `Only ${label(allowed)} may confirm an override on this service in ${ctx.environment}.`,
    };
  if (mayBeAuthor(person.id, ctx.authorIds))
    return authorRefusal(
      ctx.authorIds,
      "The release's author cannot confirm an override of its gate.",
      "confirm an override of its gate",
    );
  return { ok: true, role };
}

/** Closing the review of a break-glass, afterwards: someone else, and not the release's author. */
export function mayReviewOverride(
  person: Person,
  serviceId: string,
  override: { actorId: string },
  authorIds: readonly string[],
): Decision {
  const role = rolesOn(person, serviceId).find((r) => r === "release_manager" || r === "admin");
  if (!role)
    return {
      ok: false,
      code: "forbidden",
      reason: "Only a release manager or an admin of this service reviews its break-glass overrides.",
    };
  if (override.actorId === person.id)
    return {
      ok: false,
      code: "forbidden",
      reason: "Someone other than the person who broke the glass must review it.",
    };
  if (mayBeAuthor(person.id, authorIds))
    return authorRefusal(
      authorIds,
      "The release's author cannot review an override of its gate.",
      "close the review of an override of its gate",
    );
  return { ok: true, role };
}

// A running backfill (`rollgate backfill`): who may Pause, Resume or Cancel it from the
// dashboard, and what each asks of it (`control`, read by the CLI before every batch).

export const BACKFILL_ACTIONS = ["pause", "resume", "cancel"] as const;
export type BackfillAction = (typeof BACKFILL_ACTIONS)[number];

/** The service's release managers and on-call engineers (and admins, as everywhere). */
export const BACKFILL_CONTROL_ROLES: readonly Role[] = ["release_manager", "on_call", "admin"];

const FINAL: readonly BackfillState[] = ["finished", "failed", "cancelled"];

/** What the backfill is asked to do after `action`. */
export function controlAfter(action: BackfillAction): BackfillControl {
  return action === "resume" ? "run" : action;
}

/** The backfill as the rule needs it: its state (from its events) and what the dashboard asked last. */
export interface BackfillControlContext {
  serviceId: string;
  state: BackfillState;
  control: BackfillControl;
}

/** Whether `person` may `action` this backfill now, and as which role. */
export function mayControlBackfill(person: Person, ctx: BackfillControlContext, action: BackfillAction): Decision {
  const role = rolesOn(person, ctx.serviceId).find((r) => BACKFILL_CONTROL_ROLES.includes(r));
  if (!role)
    return {
      ok: false,
      code: "forbidden",
      reason: `Only the service's release managers and on-call engineers may ${action} its backfills.`,
    };
  const no = (reason: string): Decision => ({ ok: false, code: "conflict", reason });
  if (ctx.state === "cancelled" || ctx.control === "cancel")
    return no(
      action === "resume"
        ? "This backfill was cancelled and cannot be resumed; run rollgate backfill again to start a new one."
        : "This backfill was cancelled already.",
    );
  if (FINAL.includes(ctx.state)) return no(`This backfill has ${ctx.state}; there is nothing left to ${action}.`);
  if (action === "pause" && ctx.control === "pause") return no("This backfill is paused already.");
  if (action === "resume" && ctx.control !== "pause")
    return no(
      ctx.state === "paused"
        ? "Nobody paused this backfill from the dashboard: it waits for its own reason (shown on the panel) and goes on by itself."
        : "This backfill is not paused.",
    );
  return { ok: true, role };
}
