import "server-only";
import { parsePolicy } from "@rollgate/core/policy";
import { analyseSql } from "@rollgate/core/sql";
import { listApprovals } from "@rollgate/db/queries/approvals";
import { loadTimeline } from "@rollgate/db/queries/evidence";
import { listOverrides } from "@rollgate/db/queries/overrides";
import { sloSeries } from "@rollgate/db/queries/slo-series";
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
  const { rollout } = gate.row;
  // The SLO story from a little before the deploy until now (or the contract), in buckets.
  const from = new Date((rollout.deployedAt ?? rollout.createdAt).getTime() - 3_600_000);
  const slo = await sloSeries(db, { rolloutId: rollout.id, from, to: at, points: 300 });
  const { events, runs } = await loadTimeline(db, rollout.id);
  const lockingIsError = policy.ok && policy.policy.lockingIsError;
  const [expandFindings, contractFindings] = await Promise.all(
    (["expand", "contract"] as const).map(async (phase) => {
      const script = phase === "expand" ? gate.row.release.expandSql : gate.row.release.contractSql;
      return script ? (await analyseSql(script, { phase, lockingIsError })).findings : [];
    }),
  );
  return { ...gate, approvals, overrides, slo, events, runs, expandFindings: expandFindings!, contractFindings: contractFindings!, policy: policy.ok ? policy.policy : null, now: at };
}
