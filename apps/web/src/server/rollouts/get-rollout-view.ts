import "server-only";
import { listApprovals } from "@rollgate/db/queries/approvals";
import type { RolloutKeys } from "@rollgate/db/queries/rollouts";
import { database } from "@rollgate/db/runtime";
import { now } from "../clock";
import { evaluateRolloutGate } from "../gate/evaluate-rollout-gate";

/** Everything the rollout page shows: the release, the gate's verdict now, and the decisions. */
export async function getRolloutView(keys: RolloutKeys) {
  const { db } = await database();
  const at = now();
  const gate = await evaluateRolloutGate(db, keys, at);
  const approvals = await listApprovals(db, gate.row.rollout.id);
  return { ...gate, approvals, now: at };
}
