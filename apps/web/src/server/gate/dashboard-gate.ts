import "server-only";
import type { RolloutKeys } from "@rollgate/db/queries/rollouts";
import { database } from "@rollgate/db/runtime";
import { now } from "../clock";
import { AppError } from "../errors";
import { evaluateRolloutGate, gateJson } from "./evaluate-rollout-gate";

/** The gate as the dashboard shows it, with the server's clock so countdowns can sync. */
export async function dashboardGate(keys: RolloutKeys) {
  const { db } = await database();
  const at = now();
  try {
    return { now: at.toISOString(), ...gateJson(keys, await evaluateRolloutGate(db, keys, at)) };
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") return null;
    throw error;
  }
}
