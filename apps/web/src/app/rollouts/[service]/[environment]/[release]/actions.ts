"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { decideApproval } from "@rollgate/app/approvals/decide-approval";
import { controlBackfill } from "@rollgate/app/backfills/control-backfill";
import { breakGlass, confirmBreakGlass, reviewBreakGlass, startRecovery } from "@rollgate/app/overrides/break-glass";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import { currentUser } from "@/server/auth/current-user";
import { AppError } from "@/server/errors";
import { rolloutKeysSchema } from "@/server/rollouts/rollout-keys";
import { inAction } from "@/server/action";
import { useCaseDeps } from "@/server/use-case-deps";

import type { ActionState } from "@/lib/action-state";
import { utc } from "@/lib/format";

const input = rolloutKeysSchema.extend({
  decision: z.enum(["approve", "reject", "withdraw"]),
  /** The SHA-256 of the contract script the approver was shown. */
  checksum: z.string().max(64).default(""),
  comment: z.string().max(2000, "Keep the comment under 2,000 characters.").default(""),
});

const DONE = {
  approve: "Your approval is recorded.",
  reject: "Your rejection is recorded.",
  withdraw: "Your decision is withdrawn.",
};

/** Approve, reject or withdraw — every rule is checked on the server by the use case. */
export async function decide(_previous: ActionState, form: FormData): Promise<ActionState> {
  const parsed = input.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "The form is incomplete." };
  const user = await currentUser();
  if (!user) return { error: "Sign in to approve or reject." };
  const { decision, comment, checksum, ...keys } = parsed.data;
  if (decision === "reject" && comment.trim().length < 10)
    return { error: "Say why you reject (at least a short sentence), so the author can act on it." };
  try {
    await inAction(`approval ${decision}`, async () =>
      decideApproval({
        ...(await useCaseDeps()),
        user,
        keys,
        decision,
        comment: comment.trim(),
        seenChecksum: checksum,
      }),
    );
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
  revalidatePath(`/rollouts/${keys.service}/${keys.environment}/${keys.release}`);
  return { done: DONE[decision] };
}

const glass = rolloutKeysSchema.extend({
  justification: z.string().max(4000),
  minutes: z.coerce.number().int("Give the duration in whole minutes."),
});

/** Break-glass: the rules (role, sentence, duration, failing checks) hold in the use case. */
export async function breakGlassAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const parsed = glass.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "The form is incomplete." };
  const user = await currentUser();
  if (!user) return { error: "Sign in to break glass." };
  const { justification, minutes, ...keys } = parsed.data;
  return run(keys, async () => {
    const { expiresAt, awaitingConfirmation } = await breakGlass({
      ...(await useCaseDeps()),
      user,
      keys,
      checks: form.getAll("checks").map(String),
      justification,
      minutes,
    });
    if (awaitingConfirmation)
      return `Override recorded until ${utc(expiresAt)} UTC. It takes effect once a second person confirms it here, and stays open for review.`;
    return `Override recorded until ${utc(expiresAt)} UTC. It stays open for review by someone else.`;
  });
}

const confirm = rolloutKeysSchema.extend({ overrideId: z.uuid("The confirmation form is incomplete.") });

/** The second person's confirmation of an override or a recovery run. */
export async function confirmAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const parsed = confirm.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "The confirmation form is incomplete." };
  const user = await currentUser();
  if (!user) return { error: "Sign in to confirm." };
  const { overrideId, ...keys } = parsed.data;
  return run(keys, async () => {
    await confirmBreakGlass({ ...(await useCaseDeps()), user, keys, overrideId });
    return "Confirmed: the override is in effect.";
  });
}

const recovery = rolloutKeysSchema.extend({
  name: z.string().max(200).default("fix"),
  sql: z.string().max(256 * 1024, "Keep the fix script under 256 KiB."),
  justification: z.string().max(4000),
  minutes: z.coerce.number().int("Give the duration in whole minutes."),
});

/** After a failed migration: authorise one recovery run of a named fix script. */
export async function recoveryAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const parsed = recovery.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "The form is incomplete." };
  const user = await currentUser();
  if (!user) return { error: "Sign in to authorise a recovery run." };
  const { name, sql, justification, minutes, ...keys } = parsed.data;
  return run(keys, async () => {
    // Browsers submit a textarea's line breaks as CRLF; the pipeline's file has LF.
    const { checksum, awaitingConfirmation } = await startRecovery({
      ...(await useCaseDeps()),
      user,
      keys,
      name,
      sql: sql.replaceAll("\r\n", "\n"),
      justification,
      minutes,
    });
    return `Recovery run of ${name} (SHA-256 ${checksum.slice(0, 12)}…) authorised${awaitingConfirmation ? "; it needs a second person's confirmation before the pipeline can take its lease" : ""}.`;
  });
}

const review = rolloutKeysSchema.extend({
  overrideId: z.uuid("The review form is incomplete."),
  note: z.string().max(2000, "Keep the note under 2,000 characters."),
});

export async function reviewAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const parsed = review.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "The review form is incomplete." };
  const user = await currentUser();
  if (!user) return { error: "Sign in to review." };
  const { overrideId, note, ...keys } = parsed.data;
  return run(keys, async () => {
    await reviewBreakGlass({ ...(await useCaseDeps()), user, overrideId, note });
    return "Review recorded.";
  });
}

const backfill = rolloutKeysSchema.extend({
  backfillId: z.uuid("The backfill form is incomplete."),
  action: z.enum(["pause", "resume", "cancel"], "Choose Pause, Resume or Cancel."),
});

const BACKFILL_DONE = {
  pause: "Pause requested: the backfill stops before its next batch.",
  resume: "Resume requested: the backfill goes on with its next batch.",
  cancel: "Cancel requested: the backfill stops before its next batch and cannot be resumed.",
};

/** Pause, Resume or Cancel a backfill: who may, and when, is decided by the use case. */
export async function backfillAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const parsed = backfill.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "The backfill form is incomplete." };
  const user = await currentUser();
  if (!user) return { error: "Sign in to pause, resume or cancel a backfill." };
  const { backfillId, action, ...keys } = parsed.data;
  return inAction(`backfill ${action}`, () =>
    settle(keys, async () => {
      await controlBackfill({ ...(await useCaseDeps()), user, keys, backfillId, action });
      return BACKFILL_DONE[action];
    }),
  );
}

function run(keys: RolloutKey, work: () => Promise<string>): Promise<ActionState> {
  return inAction("override", () => settle(keys, work));
}

async function settle(keys: RolloutKey, work: () => Promise<string>): Promise<ActionState> {
  try {
    const done = await work();
    revalidatePath(`/rollouts/${keys.service}/${keys.environment}/${keys.release}`);
    revalidatePath("/");
    return { done };
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
}
