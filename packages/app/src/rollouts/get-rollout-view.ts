import { analyseSql } from "@rollgate/core/sql";
import { listApprovals } from "@rollgate/db/queries/approvals";
import { listBackfills } from "@rollgate/db/queries/backfills";
import { listOverrides } from "@rollgate/db/queries/overrides";
import { inspectionHistory } from "@rollgate/db/queries/inspections";
import { sloSeries } from "@rollgate/db/queries/slo-series";
import { listPulls } from "@rollgate/db/queries/slo-pulls";
import { decodeCursor, encodeCursor, flagHistory, migrationHistory, timelinePage } from "@rollgate/db/queries/timeline";

export type { TimelineItem } from "@rollgate/db/queries/timeline";
import type { RolloutKeys } from "@rollgate/db/queries/rollouts";
import type { Db } from "@rollgate/db/client";
import { evaluateRolloutGate, rolloutOr404 } from "../gate/evaluate-rollout-gate";

/**
 * Everything the rollout page shows: the release, the gate's verdict now, the decisions, the
 * charts' series, its backfills and one page of the timeline (`before`: a cursor from the previous page).
 */
export async function getRolloutView(deps: { db: Db; now: Date }, keys: RolloutKeys, before?: string) {
  const { db, now: at } = deps;
  const gate = await evaluateRolloutGate(db, await rolloutOr404(db, keys), at);
  const { rollout } = gate.row;
  const cursor = decodeCursor(before);
  // The SLO story from a little before the deploy until now, in buckets.
  const from = new Date((rollout.deployedAt ?? rollout.createdAt).getTime() - 3_600_000);
  const [approvals, overrides, slo, flag, runs, timeline, pulls, inspections, backfills] = await Promise.all([
    listApprovals(db, rollout.id),
    listOverrides(db, rollout.id),
    sloSeries(db, { rolloutId: rollout.id, from, to: at, points: 300 }),
    flagHistory(db, rollout.id),
    migrationHistory(db, rollout.id),
    timelinePage(db, rollout.id, { before: cursor, limit: 50 }),
    gate.policy.sloSource ? listPulls(db, { rolloutId: rollout.id, from, to: at, limit: 200 }) : Promise.resolve([]),
    inspectionHistory(db, rollout.environmentId, 10),
    listBackfills(db, rollout.id),
  ]);
  const pullFailures = pulls.filter((p) => !p.ok).slice(-5);
  const { lockingIsError } = gate.policy;
  const [expandFindings, contractFindings] = await Promise.all(
    (["expand", "contract"] as const).map(async (phase) => {
      const script = phase === "expand" ? gate.row.rollout.expandSql : gate.row.rollout.contractSql;
      return script ? (await analyseSql(script, { phase, lockingIsError })).findings : [];
    }),
  );
  return {
    ...gate,
    approvals,
    overrides,
    slo,
    pullFailures,
    flag,
    runs,
    timeline,
    inspections,
    backfills,
    lockNotes: lockNotes(gate.verdict.checks),
    olderCursor: timeline.next ? encodeCursor(timeline.next) : null,
    firstPage: !cursor,
    expandFindings: expandFindings!,
    contractFindings: contractFindings!,
    now: at,
  };
}

/** Lock risk under the contract script's lines: lock, table size and rows, rewrite, blockers now. */
function lockNotes(checks: Awaited<ReturnType<typeof evaluateRolloutGate>>["verdict"]["checks"]) {
  const details = checks.find((c) => c.id === "lock_risk")?.details;
  if (details?.kind !== "lock_risk") return [];
  return details.statements.map((s) => {
    const size =
      s.bytes === null
        ? "size unknown (no inspection)"
        : `${(s.bytes / 1048576).toFixed(1)} MiB, ~${(s.rows ?? 0).toLocaleString("en")} rows`;
    const blockers = s.blockers.length
      ? `; blocked now by ${s.blockers.map((b) => `pid ${b.pid} (${b.state}${b.xactSeconds !== null ? `, ${b.xactSeconds} s` : ""})`).join(", ")}`
      : "";
    return {
      line: s.line,
      risky: s.blockers.length > 0 || s.rewrites || s.lock === "ACCESS EXCLUSIVE",
      text: `Lock risk: ${s.lock} on ${s.table ?? "?"}, ${size}${s.rewrites ? ", rewrites the table" : ""}${blockers}.`,
    };
  });
}
