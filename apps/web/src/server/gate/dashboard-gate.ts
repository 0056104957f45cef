import "server-only";
import type { RolloutKeys } from "@rollgate/db/queries/rollouts";
import { database } from "@rollgate/db/runtime";
import { now } from "../clock";
import { AppError } from "../errors";
import { evaluateRolloutGate, gateJson } from "./evaluate-rollout-gate";

/** The gate as the dashboard shows it, with the server's clock so countdowns can sync;
 * `authorize` sees the rollout's service first and throws to refuse. */
export async function dashboardGate(keys: RolloutKeys, authorize: (serviceId: string) => Promise<unknown>) {
  const { db } = await database();
  const at = now();
  try {
    const gate = await evaluateRolloutGate(db, keys, at);
    await authorize(gate.row.serviceId);
    return { now: at.toISOString(), ...gateJson(keys, gate) };
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") return null;
    throw error;
  }
}
