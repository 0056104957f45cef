import { mayDecideApproval } from "@rollgate/core/access/decide";
import type { attentionSchema, gateSummarySchema, overviewResponseSchema } from "@rollgate/core/contract/dashboard";
import { openChecks, type GateVerdict } from "@rollgate/core/gate";
import type { Db } from "@rollgate/db/client";
import { listUnreviewedOverrides } from "@rollgate/db/queries/overrides";
import { listOverview, listRecentRejections } from "@rollgate/db/queries/overview";
import type { GateRow } from "@rollgate/db/queries/rollouts";
import type { z } from "zod";
import { gateContext, personOf, type SignedInUser } from "../access/rollout-context";
import { evaluateRolloutGates, type RolloutGate } from "../gate/evaluate-rollout-gate";

type OverviewJson = z.infer<typeof overviewResponseSchema>;
type AttentionJson = z.infer<typeof attentionSchema>;
type GateSummaryJson = z.infer<typeof gateSummarySchema>;

/** States in which the contract gate is the question of the day. */
const GATED_STATES = new Set(["rolling_out", "verifying"]);
const FAILED_STATES = new Set(["expand_failed", "contract_failed"]);
/** A window that ends within this long is "ending soon". */
const SOON_MS = 2 * 3600_000;
/** Refused deliveries are listed for this long. */
const REFUSALS_MS = 24 * 3600_000;

/**
 * The overview: every service × environment with its current rollout and gate, and what
 * needs someone now — approvals waiting for this user, windows ending soon, failed runs,
 * refused deliveries, break-glass overrides awaiting review. `user`: who is signed in (null: an
 * anonymous viewer of a public wallboard).
 */
export async function getOverview(deps: { db: Db; now: Date }, user: SignedInUser | null): Promise<OverviewJson> {
  const { db, now: at } = deps;
  // The refusals and overrides do not depend on the rollouts: read beside them, on other connections.
  const [rows, refusals, overrides] = await Promise.all([
    listOverview(db),
    listRecentRejections(db, new Date(at.getTime() - REFUSALS_MS)),
    listUnreviewedOverrides(db),
  ]);
  // Every gate on the page from the one read of the rollouts and a fixed number of statements for their facts.
  const gated = rows.flatMap((r) => (r.latest && GATED_STATES.has(r.latest.rollout.state) ? [r.latest] : []));
  // Each verdict (twelve checks with their sentences and evidence) is reduced to what the page
  // shows as soon as it is evaluated, so six hundred of them are never alive at once.
  const gates = new Map(
    await evaluateRolloutGates(
      db,
      gated,
      at,
      (gate) =>
        [
          gate.row.rollout.id,
          {
            summary: summarise(gate.verdict),
            windowEndsAt: gate.verdict.windowEndsAt,
            waitsForMe: user !== null && waitsForMe(user, gate),
            approvals: gate.verdict.approvals,
          },
        ] as const,
    ),
  );
  const attention: AttentionJson[] = [];
  const services = new Map<string, OverviewJson["services"][number]>();

  for (const { serviceSlug, serviceName, environmentName, environmentProductionLike, latest } of rows) {
    const service = services.get(serviceSlug) ?? { slug: serviceSlug, name: serviceName, environments: [] };
    services.set(serviceSlug, service);
    if (!latest) {
      service.environments.push({
        name: environmentName,
        production_like: environmentProductionLike,
        rollout: null,
        gate: null,
      });
      continue;
    }
    const { rollout, release } = latest;
    const keys = { service: serviceSlug, environment: environmentName, release: release.key };
    const evaluated = gates.get(rollout.id);
    if (evaluated) {
      const ends = evaluated.windowEndsAt;
      if (ends && ends > at && ends.getTime() - at.getTime() <= SOON_MS)
        attention.push({ kind: "window", ...keys, ends_at: ends.toISOString() });
      if (evaluated.waitsForMe) attention.push({ kind: "approval", ...keys, ...evaluated.approvals });
    }
    if (FAILED_STATES.has(rollout.state)) attention.push({ kind: "failed", ...keys, state: rollout.state });
    service.environments.push({
      name: environmentName,
      production_like: environmentProductionLike,
      rollout: {
        release: release.key,
        title: release.title,
        state: rollout.state,
        current_version: rollout.currentVersion,
        flag_percent: rollout.flagPercent,
      },
      gate: evaluated?.summary ?? null,
    });
  }

  for (const r of refusals)
    attention.push({
      kind: "refused",
      service: r.service,
      environment: r.environment,
      release: r.release,
      count: r.count,
      last_at: r.lastAt.toISOString(),
      last_message: r.lastMessage,
    });
  for (const o of overrides)
    attention.push({
      kind: "override",
      service: o.service,
      environment: o.environment,
      release: o.release,
      actor: o.actorEmail,
      checks: o.checks,
      justification: o.justification,
    });

  return { now: at.toISOString(), signed_in: user !== null, services: [...services.values()], attention };
}

function summarise(verdict: GateVerdict): GateSummaryJson {
  return {
    allowed: verdict.allowed,
    open: openChecks(verdict.checks).length,
    window_ends_at: verdict.windowEndsAt?.toISOString() ?? null,
  };
}

/**
 * Whether this user could add a needed approval: a contract script waits for approvals,
 * their role may approve in this environment, they did not write the release, and they have
 * no standing decision on this exact script.
 */
function waitsForMe(user: SignedInUser, gate: RolloutGate<GateRow>): boolean {
  const { row, facts, verdict } = gate;
  const checksum = row.rollout.contractChecksum;
  if (!checksum || verdict.approvals.have >= verdict.approvals.need) return false;
  if (!mayDecideApproval(personOf(user), gateContext(gate), checksum).ok) return false;
  return !facts.approvals.some((a) => a.approverId === user.id && a.contractChecksum === checksum && !a.withdrawnAt);
}
