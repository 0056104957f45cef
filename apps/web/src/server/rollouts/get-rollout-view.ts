import "server-only";
import { analyseSql } from "@rollgate/core/sql";
import { listApprovals } from "@rollgate/db/queries/approvals";
import { listOverrides } from "@rollgate/db/queries/overrides";
import { sloSeries } from "@rollgate/db/queries/slo-series";
import { listPulls } from "@rollgate/db/queries/slo-pulls";
import { decodeCursor, encodeCursor, flagHistory, migrationHistory, timelinePage } from "@rollgate/db/queries/timeline";

export type { TimelineItem } from "@rollgate/db/queries/timeline";
import type { RolloutKeys } from "@rollgate/db/queries/rollouts";
import { database } from "@rollgate/db/runtime";
import { now } from "../clock";
import { evaluateRolloutGate } from "../gate/evaluate-rollout-gate";

/**
 * Everything the rollout page shows: the release, the gate's verdict now, the decisions, the
 * charts' series and one page of the timeline (`before`: a cursor from the previous page).
 */
export async function getRolloutView(keys: RolloutKeys, before?: string) {
  const { db } = await database();
  const at = now();
  const gate = await evaluateRolloutGate(db, keys, at);
  const { rollout } = gate.row;
  const cursor = decodeCursor(before);
  // The SLO story from a little before the deploy until now, in buckets.
  const from = new Date((rollout.deployedAt ?? rollout.createdAt).getTime() - 3_600_000);
  const [approvals, overrides, slo, flag, runs, timeline, pulls] = await Promise.all([
    listApprovals(db, rollout.id),
    listOverrides(db, rollout.id),
    sloSeries(db, { rolloutId: rollout.id, from, to: at, points: 300 }),
    flagHistory(db, rollout.id),
    migrationHistory(db, rollout.id),
    timelinePage(db, rollout.id, { before: cursor, limit: 50 }),
    gate.policy.sloSource ? listPulls(db, { rolloutId: rollout.id, from, to: at, limit: 200 }) : Promise.resolve([]),
  ]);
  const pullFailures = pulls.filter((p) => !p.ok).slice(-5);
  const { lockingIsError } = gate.policy;
  const [expandFindings, contractFindings] = await Promise.all(
    (["expand", "contract"] as const).map(async (phase) => {
      const script = phase === "expand" ? gate.row.rollout.expandSql : gate.row.rollout.contractSql;
      return script ? (await analyseSql(script, { phase, lockingIsError })).findings : [];
    }),
  );
  return { ...gate, approvals, overrides, slo, pullFailures, flag, runs, timeline, olderCursor: timeline.next ? encodeCursor(timeline.next) : null, firstPage: !cursor, expandFindings: expandFindings!, contractFindings: contractFindings!, now: at };
}
