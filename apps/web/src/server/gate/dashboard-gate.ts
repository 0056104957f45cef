import "server-only";
import type { DashboardGate } from "@rollgate/core/contract/responses";
import { findRollout, type RolloutKeys } from "@rollgate/db/queries/rollouts";
import { database } from "@rollgate/db/runtime";
import { now } from "../clock";
import { evaluateRolloutGate, gateJson } from "@rollgate/app/gate/evaluate-rollout-gate";

/** The gate as the dashboard shows it, with the server's clock so countdowns can sync;
 * `authorize` sees the rollout's service first and throws to refuse. */
export async function dashboardGate(
  keys: RolloutKeys,
  authorize: (serviceId: string) => Promise<unknown>,
): Promise<DashboardGate | null> {
  const { db } = await database();
  const at = now();
  const row = await findRollout(db, keys);
  if (!row) return null;
  await authorize(row.serviceId);
  return { now: at.toISOString(), ...gateJson(keys, await evaluateRolloutGate(db, row, at)) };
}
