import "server-only";
import { parsePolicy } from "@rollgate/core/policy";
import { listApprovals } from "@rollgate/db/queries/approvals";
import { listOverrides } from "@rollgate/db/queries/overrides";
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
  const overrides = await listOverrides(db, gate.row.rollout.id);
  const policy = parsePolicy(gate.row.policy);
  return { ...gate, approvals, overrides, policy: policy.ok ? policy.policy : null, now: at };
}
