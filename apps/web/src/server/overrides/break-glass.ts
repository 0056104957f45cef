import "server-only";
import { GATE_CHECK_IDS, type GateCheckId } from "@rollgate/core/gate";
import { parsePolicy } from "@rollgate/core/policy";
import { appendAudit } from "@rollgate/db/queries/audit";
import { createOverride, findOverride, reviewOverride } from "@rollgate/db/queries/overrides";
import { findRollout, type RolloutKeys } from "@rollgate/db/queries/rollouts";
import { database } from "@rollgate/db/runtime";
import { rolesFor, type CurrentUser } from "../auth/current-user";
import { now } from "../clock";
import { AppError } from "../errors";
import { evaluateRolloutGate } from "../gate/evaluate-rollout-gate";

/** "At least a full sentence": eight words or more, ending like a sentence. */
export function isSentence(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.split(/\s+/).length >= 8 && /[.!?]$/.test(trimmed);
}

/**
 * Break-glass: lets chosen failing checks of one rollout through, for a limited time, by a
 * role the policy allows, with a written justification — recorded loudly and left open for
 * review by someone else.
 */
export async function breakGlass(options: { user: CurrentUser; keys: RolloutKeys; checks: string[]; justification: string; minutes: number }) {
  const { user, keys } = options;
  const checks = [...new Set(options.checks)];
  if (checks.length === 0 || checks.some((c) => !(GATE_CHECK_IDS as readonly string[]).includes(c))) throw new AppError("invalid_request", "Choose at least one gate check to override.");
  if (!isSentence(options.justification)) throw new AppError("invalid_request", "Write the justification as at least one full sentence (eight words or more, ending with a full stop): why this cannot wait.");
  const { db } = await database();
  return db.transaction(async (tx) => {
    const row = await findRollout(tx, keys, { forUpdate: true });
    if (!row) throw new AppError("not_found", `There is no release ${keys.release} of ${keys.service} in ${keys.environment}.`);
    const parsed = parsePolicy(row.policy);
    if (!parsed.ok) throw new Error("stored policy is invalid");
    const policy = parsed.policy;
    const role = rolesFor(user, row.serviceId).find((r) => policy.breakGlass.allowedRoles.includes(r));
    if (!role) throw new AppError("forbidden", `Only ${policy.breakGlass.allowedRoles.join(", ").replaceAll("_", " ") || "nobody"} may break glass in ${keys.environment}.`);
    const maxMinutes = policy.breakGlass.maxDurationSeconds / 60;
    if (!(options.minutes > 0 && options.minutes <= maxMinutes)) throw new AppError("invalid_request", `An override lasts between 1 and ${maxMinutes} minutes in ${keys.environment}.`);
    const at = now();
    const { verdict } = await evaluateRolloutGate(tx, keys, at);
    const passing = checks.filter((c) => verdict.checks.find((v) => v.id === c)?.status === "pass");
    if (passing.length) throw new AppError("conflict", `Nothing to override: ${passing.join(", ")} already pass${passing.length === 1 ? "es" : ""}.`);
    const expiresAt = new Date(at.getTime() + options.minutes * 60_000);
    const override = await createOverride(tx, { rolloutId: row.rollout.id, actorId: user.id, role, justification: options.justification.trim(), checks: checks as GateCheckId[], at, expiresAt });
    await appendAudit(tx, {
      at,
      actorType: "user",
      actorId: user.id,
      action: "override.break_glass",
      subjectType: "rollout",
      subjectId: row.rollout.id,
      rolloutId: row.rollout.id,
      data: { severity: "critical", email: user.email, role, checks, justification: options.justification.trim(), expiresAt, overrideId: override.id },
    });
    return { id: override.id, expiresAt };
  });
}

/** Closes a break-glass review item; never by the person who broke the glass. */
export async function reviewBreakGlass(options: { user: CurrentUser; overrideId: string; note: string }) {
  const { user } = options;
  if (!user.roles.some((r) => r.role === "release_manager" || r.role === "admin")) throw new AppError("forbidden", "Only a release manager or an admin reviews break-glass overrides.");
  if (options.note.trim().length < 10) throw new AppError("invalid_request", "Write what you checked (a short sentence) to close the review.");
  const { db } = await database();
  await db.transaction(async (tx) => {
    const override = await findOverride(tx, options.overrideId);
    if (!override) throw new AppError("not_found", "There is no such override.");
    if (override.actorId === user.id) throw new AppError("forbidden", "Someone other than the person who broke the glass must review it.");
    const at = now();
    if (!(await reviewOverride(tx, { id: override.id, reviewerId: user.id, note: options.note.trim(), at }))) throw new AppError("conflict", "This override was already reviewed.");
    await appendAudit(tx, { at, actorType: "user", actorId: user.id, action: "override.reviewed", subjectType: "rollout", subjectId: override.rolloutId, rolloutId: override.rolloutId, data: { overrideId: override.id, email: user.email, note: options.note.trim() } });
  });
}
