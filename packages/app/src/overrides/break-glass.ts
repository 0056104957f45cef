import { rolloutNotFoundMessage } from "@rollgate/core/contract/rollout-key";
import {
  mayBreakGlass,
  mayConfirmOverride,
  mayReviewOverride,
  mayStartRecovery,
  overrideDurationAllowed,
  overrideMaxMinutes,
  overrideNeedsConfirmation,
} from "@rollgate/core/access/decide";
import type { GateCheckId } from "@rollgate/core/gate";
import { appendAudit } from "@rollgate/db/queries/audit";
import { authorIdsOf } from "@rollgate/db/queries/identities";
import { confirmOverride, createOverride, findOverride, reviewOverride } from "@rollgate/db/queries/overrides";
import type { Db } from "@rollgate/db/client";
import { findRollout, type RolloutKeys, type RolloutRow } from "@rollgate/db/queries/rollouts";
import { sha256Hex } from "@rollgate/db/secrets";
import { personOf, rolloutContext, type SignedInUser } from "../access/rollout-context";
import { AppError } from "../errors";
import { evaluateRolloutGate } from "../gate/evaluate-rollout-gate";
import { notifyRollout } from "../notifications/notify-rollout";

/** "At least a full sentence": eight words or more, ending like a sentence. */
export function isSentence(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.split(/\s+/).length >= 8 && /[.!?]$/.test(trimmed);
}

const SENTENCE =
  "Write the justification as at least one full sentence (eight words or more, ending with a full stop): why this cannot wait.";

/** One audit entry about an override of a rollout, by the signed-in user who acted on it. */
function overrideAudit(
  tx: Db,
  entry: { at: Date; user: SignedInUser; action: string; rolloutId: string; data: Record<string, unknown> },
) {
  return appendAudit(tx, {
    at: entry.at,
    actorType: "user",
    actorId: entry.user.id,
    action: entry.action,
    subjectType: "rollout",
    subjectId: entry.rolloutId,
    rolloutId: entry.rolloutId,
    data: entry.data,
  });
}

/** Runs `work` in one transaction with the rollout row locked. */
async function lockedRollout(db: Db, keys: RolloutKeys, work: (tx: Db, row: RolloutRow) => Promise<unknown>) {
  return db.transaction(async (tx) => {
    const row = await findRollout(tx, keys, { forUpdate: true });
    if (!row) throw new AppError("not_found", rolloutNotFoundMessage(keys));
    return work(tx, row);
  });
}

/**
 * Break-glass: lets chosen failing time- and signal-based checks of one rollout through, for
 * a limited time, by a role the policy allows on this service, never the release's author,
 * with a written justification — recorded loudly, confirmed by a second person where the
 * policy asks (production by default), and left open for review by someone else.
 */
export async function breakGlass(options: {
  db: Db;
  now: Date;
  user: SignedInUser;
  keys: RolloutKeys;
  checks: string[];
  justification: string;
  minutes: number;
}) {
  const { user, keys } = options;
  const checks = [...new Set(options.checks)];
  if (!isSentence(options.justification)) throw new AppError("invalid_request", SENTENCE);
  return (await lockedRollout(options.db, keys, async (tx, row) => {
    const ctx = await rolloutContext(tx, row);
    const allowed = mayBreakGlass(personOf(user), ctx, checks);
    if (!allowed.ok) throw new AppError(allowed.code, allowed.reason);
    if (!overrideDurationAllowed(ctx.policy, options.minutes))
      throw new AppError(
        "invalid_request",
        `An override lasts between 1 and ${overrideMaxMinutes(ctx.policy)} minutes in ${keys.environment}.`,
      );
    const at = options.now;
    const { verdict } = await evaluateRolloutGate(tx, row, at);
    const passing = checks.filter((c) => verdict.checks.find((v) => v.id === c)?.status === "pass");
    if (passing.length)
      throw new AppError(
        "conflict",
        `Nothing to override: ${passing.join(", ")} already pass${passing.length === 1 ? "es" : ""}.`,
      );
    const expiresAt = new Date(at.getTime() + options.minutes * 60_000);
    const needsSecond = overrideNeedsConfirmation(ctx.policy, row.environmentProductionLike);
    const override = await createOverride(tx, {
      rolloutId: row.rollout.id,
      actorId: user.id,
      role: allowed.role,
      justification: options.justification.trim(),
      checks: checks as GateCheckId[],
      at,
      expiresAt,
      confirmed: !needsSecond,
    });
    await overrideAudit(tx, {
      at,
      user,
      action: "override.break_glass",
      rolloutId: row.rollout.id,
      data: {
        severity: "critical",
        email: user.email,
        role: allowed.role,
        checks,
        justification: options.justification.trim(),
        expiresAt,
        overrideId: override.id,
        awaitingConfirmation: needsSecond,
      },
    });
    await notifyRollout(tx, {
      row,
      keys,
      type: "breakglass.used",
      key: override.id,
      now: at,
      summary: `${user.email} broke the glass on ${checks.join(", ")} until ${expiresAt.toISOString()}${needsSecond ? "; a second person must confirm it on the rollout page" : ""}. It awaits review.`,
    });
    return { id: override.id, expiresAt, awaitingConfirmation: needsSecond };
  })) as { id: string; expiresAt: Date; awaitingConfirmation: boolean };
}

/**
 * After a failed expand or contract, authorises one recovery run of a named fix script (its
 * checksum recorded; the pipeline then takes a recovery lease for exactly that script).
 * Approvals of the failed script never carry over: the fix is its own, audited decision.
 */
export async function startRecovery(options: {
  db: Db;
  now: Date;
  user: SignedInUser;
  keys: RolloutKeys;
  name: string;
  sql: string;
  justification: string;
  minutes: number;
}) {
  const { user, keys } = options;
  if (!isSentence(options.justification)) throw new AppError("invalid_request", SENTENCE);
  if (!options.sql.trim()) throw new AppError("invalid_request", "Paste the fix script that should run.");
  return (await lockedRollout(options.db, keys, async (tx, row) => {
    const ctx = await rolloutContext(tx, row);
    const allowed = mayStartRecovery(personOf(user), ctx);
    if (!allowed.ok) throw new AppError(allowed.code, allowed.reason);
    if (!overrideDurationAllowed(ctx.policy, options.minutes))
      throw new AppError(
        "invalid_request",
        `A recovery authorisation lasts between 1 and ${overrideMaxMinutes(ctx.policy)} minutes in ${keys.environment}.`,
      );
    const at = options.now;
    const needsSecond = overrideNeedsConfirmation(ctx.policy, row.environmentProductionLike);
    const fix = {
      phase: ctx.state === "expand_failed" ? ("expand" as const) : ("contract" as const),
      name: options.name.trim() || "fix",
      sql: options.sql,
      checksum: sha256Hex(options.sql),
    };
    const override = await createOverride(tx, {
      rolloutId: row.rollout.id,
      actorId: user.id,
      role: allowed.role,
      justification: options.justification.trim(),
      checks: [],
      at,
      expiresAt: new Date(at.getTime() + options.minutes * 60_000),
      confirmed: !needsSecond,
      fix,
    });
    await overrideAudit(tx, {
      at,
      user,
      action: "override.recovery",
      rolloutId: row.rollout.id,
      data: {
        severity: "critical",
        email: user.email,
        role: allowed.role,
        phase: fix.phase,
        fix: fix.name,
        checksum: fix.checksum,
        justification: options.justification.trim(),
        overrideId: override.id,
        awaitingConfirmation: needsSecond,
      },
    });
    return { id: override.id, checksum: fix.checksum, awaitingConfirmation: needsSecond };
  })) as { id: string; checksum: string; awaitingConfirmation: boolean };
}

/** The second person's confirmation of an override or recovery run (production by default). */
export async function confirmBreakGlass(options: {
  db: Db;
  now: Date;
  user: SignedInUser;
  keys: RolloutKeys;
  overrideId: string;
}) {
  const { user, keys } = options;
  await lockedRollout(options.db, keys, async (tx, row) => {
    const override = await findOverride(tx, options.overrideId);
    if (!override || override.rolloutId !== row.rollout.id)
      throw new AppError("not_found", "There is no such override on this rollout.");
    const allowed = mayConfirmOverride(personOf(user), await rolloutContext(tx, row), override);
    if (!allowed.ok) throw new AppError(allowed.code, allowed.reason);
    const at = options.now;
    if (!(await confirmOverride(tx, { id: override.id, confirmerId: user.id, at })))
      throw new AppError("conflict", "This override is already confirmed.");
    await overrideAudit(tx, {
      at,
      user,
      action: "override.confirmed",
      rolloutId: row.rollout.id,
      data: { severity: "critical", overrideId: override.id, email: user.email, role: allowed.role },
    });
  });
}

/** Closes a break-glass review item: a release manager or admin of that service, never the person who broke the glass. */
export async function reviewBreakGlass(options: {
  db: Db;
  now: Date;
  user: SignedInUser;
  overrideId: string;
  note: string;
}) {
  const { user } = options;
  if (options.note.trim().length < 10)
    throw new AppError("invalid_request", "Write what you checked (a short sentence) to close the review.");
  await options.db.transaction(async (tx) => {
    const override = await findOverride(tx, options.overrideId);
    if (!override) throw new AppError("not_found", "There is no such override.");
    const allowed = mayReviewOverride(
      personOf(user),
      override.serviceId,
      override,
      await authorIdsOf(tx, override.author),
    );
    if (!allowed.ok) throw new AppError(allowed.code, allowed.reason);
    const at = options.now;
    if (!(await reviewOverride(tx, { id: override.id, reviewerId: user.id, note: options.note.trim(), at })))
      throw new AppError("conflict", "This override was already reviewed.");
    await overrideAudit(tx, {
      at,
      user,
      action: "override.reviewed",
      rolloutId: override.rolloutId,
      data: { overrideId: override.id, email: user.email, note: options.note.trim() },
    });
  });
}
