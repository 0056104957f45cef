import { BACKFILL_ACTIONS, mayControlBackfill, type Person } from "@rollgate/core/access/decide";
import type {
  BackfillControl,
  BackfillState,
  DashboardBackfill,
  DashboardBackfills,
} from "@rollgate/core/contract/backfill";
import { rolloutNotFoundMessage } from "@rollgate/core/contract/rollout-key";
import { listBackfills, type BackfillRow } from "@rollgate/db/queries/backfills";
import { findRollout, type RolloutKeys } from "@rollgate/db/queries/rollouts";
import type { Db } from "@rollgate/db/client";
import { AppError } from "../errors";

/** One backfill for the panel, with the buttons `reader` may press now (none for nobody). */
export function dashboardBackfill(row: BackfillRow, serviceId: string, reader: Person | null): DashboardBackfill {
  const ctx = { serviceId, state: row.state as BackfillState, control: row.control as BackfillControl };
  return {
    backfill_id: row.backfillId,
    table: row.tableName,
    set: row.setList,
    where: row.whereClause,
    key: row.keyColumns ?? null,
    check_name: row.checkName,
    state: ctx.state,
    rows_done: row.rowsDone,
    rows_written: row.rowsWritten,
    estimate_rows: row.estimateRows,
    batch_size: row.batchSize,
    rate_per_s: row.ratePerS,
    eta_s: row.etaS,
    replica_lag_ms: row.replicaLagMs,
    throttle: row.throttle,
    pause_cause: row.pauseCause as DashboardBackfill["pause_cause"],
    error: row.error,
    started_at: row.startedAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    finished_at: row.finishedAt?.toISOString() ?? null,
    control: ctx.control,
    requested_by: row.controlRequestedByEmail,
    requested_at: row.controlRequestedAt?.toISOString() ?? null,
    actions: reader ? BACKFILL_ACTIONS.filter((action) => mayControlBackfill(reader, ctx, action).ok) : [],
  };
}

/**
 * The backfill panel's live data; `authorize` sees the rollout's service first and throws to
 * refuse (the dashboard's reading policy), and `reader` is whose buttons are shown.
 */
export async function getBackfillsView(
  deps: { db: Db; now: Date },
  keys: RolloutKeys,
  reader: Person | null,
  authorize: (serviceId: string) => Promise<unknown>,
): Promise<DashboardBackfills> {
  const row = await findRollout(deps.db, keys);
  if (!row) throw new AppError("not_found", rolloutNotFoundMessage(keys));
  await authorize(row.serviceId);
  const rows = await listBackfills(deps.db, row.rollout.id);
  return {
    now: deps.now.toISOString(),
    backfills: rows.map((b) => dashboardBackfill(b, row.serviceId, reader)),
  };
}
