import { controlAfter, mayControlBackfill, type BackfillAction } from "@rollgate/core/access/decide";
import type { BackfillControl, BackfillControlResponse, BackfillState } from "@rollgate/core/contract/backfill";
import { rolloutNotFoundMessage } from "@rollgate/core/contract/rollout-key";
import { appendAudit } from "@rollgate/db/queries/audit";
import { findBackfill, setBackfillControl, type BackfillRow } from "@rollgate/db/queries/backfills";
import { findRollout, type RolloutKeys } from "@rollgate/db/queries/rollouts";
import type { Db } from "@rollgate/db/client";
import { personOf, type SignedInUser } from "../access/rollout-context";
import { AppError } from "../errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function backfillNotFound(keys: RolloutKeys, backfillId: string): AppError {
  return new AppError(
    "not_found",
    `There is no backfill ${backfillId} on release ${keys.release} of ${keys.service} in ${keys.environment}.`,
  );
}

/** The rollout and its backfill, or a 404 naming what is missing; `forUpdate` locks the backfill's row. */
async function rolloutBackfill(db: Db, keys: RolloutKeys, backfillId: string, forUpdate = false) {
  const row = await findRollout(db, keys);
  if (!row) throw new AppError("not_found", rolloutNotFoundMessage(keys));
  const backfill = UUID.test(backfillId) ? await findBackfill(db, row.rollout.id, backfillId, { forUpdate }) : null;
  if (!backfill) throw backfillNotFound(keys, backfillId);
  return { row, backfill };
}

/** The CLI's read, before every batch: what the dashboard asked of this backfill, and its state. */
export async function backfillControl(deps: { db: Db }, keys: RolloutKeys, backfillId: string) {
  const { row, backfill } = await rolloutBackfill(deps.db, keys, backfillId);
  return { serviceId: row.serviceId, answer: backfillControlJson(backfill) };
}

export function backfillControlJson(backfill: BackfillRow): BackfillControlResponse {
  return {
    backfill_id: backfill.backfillId,
    control: backfill.control as BackfillControl,
    requested_by: backfill.controlRequestedByEmail,
    requested_at: backfill.controlRequestedAt?.toISOString() ?? null,
    state: backfill.state as BackfillState,
  };
}

const AUDIT_ACTIONS: Record<BackfillAction, string> = {
  pause: "backfill.pause_requested",
  resume: "backfill.resume_requested",
  cancel: "backfill.cancel_requested",
};

/**
 * Pause, Resume or Cancel from the dashboard, decided by `mayControlBackfill` in core whatever
 * the browser sent (the person's roles on this service now, the backfill's state and control),
 * recorded with who and when, and audited. The CLI sees it before its next batch.
 */
export async function controlBackfill(options: {
  db: Db;
  now: Date;
  user: SignedInUser;
  keys: RolloutKeys;
  backfillId: string;
  action: BackfillAction;
}) {
  const { user, keys, action, now: at } = options;
  return options.db.transaction(async (tx) => {
    const { row, backfill } = await rolloutBackfill(tx, keys, options.backfillId, true);
    const allowed = mayControlBackfill(
      personOf(user),
      {
        serviceId: row.serviceId,
        state: backfill.state as BackfillState,
        control: backfill.control as BackfillControl,
      },
      action,
    );
    if (!allowed.ok) throw new AppError(allowed.code, allowed.reason);
    const control = controlAfter(action);
    await setBackfillControl(tx, {
      rolloutId: row.rollout.id,
      backfillId: backfill.backfillId,
      control,
      userId: user.id,
      at,
    });
    await appendAudit(tx, {
      at,
      actorType: "user",
      actorId: user.id,
      subjectType: "backfill",
      subjectId: backfill.backfillId,
      rolloutId: row.rollout.id,
      action: AUDIT_ACTIONS[action],
      data: {
        email: user.email,
        role: allowed.role,
        control,
        before: backfill.control,
        state: backfill.state,
        table: backfill.tableName,
        rowsDone: backfill.rowsDone,
      },
    });
    return { control };
  });
}
