import "server-only";
import { evaluateGate, type GateVerdict } from "@rollgate/core/gate";
import { parsePolicy } from "@rollgate/core/policy";
import { analyseSql } from "@rollgate/core/sql";
import type { Db } from "@rollgate/db/client";
import { loadGateFacts } from "@rollgate/db/queries/gate-facts";
import { findRollout, type RolloutKeys, type RolloutRow } from "@rollgate/db/queries/rollouts";
import { AppError } from "../errors";

export interface RolloutGate {
  row: RolloutRow;
  verdict: GateVerdict;
  leaseTtlSeconds: number;
}

/** The gate's verdict for one rollout, computed from the database at `now`. */
export async function evaluateRolloutGate(db: Db, keys: RolloutKeys, now: Date): Promise<RolloutGate> {
  const row = await findRollout(db, keys);
  if (!row) throw new AppError("not_found", `No release ${keys.release} of ${keys.service} in ${keys.environment}.`);
  const parsed = parsePolicy(row.policy);
  if (!parsed.ok) throw new Error(`stored policy of ${keys.service}/${keys.environment} is invalid`);
  const expand = row.release.expandSql ? await analyseSql(row.release.expandSql, { phase: "expand" }) : null;
  const destructive = expand ? expand.findings.filter((f) => f.category === "contract").length : 0;
  const facts = await loadGateFacts(db, row, now, destructive);
  return { row, verdict: evaluateGate(facts, parsed.policy, now), leaseTtlSeconds: parsed.policy.leaseTtlSeconds };
}

/** The JSON shape of a verdict on the wire (snake_case, ISO times). */
export function gateJson(keys: RolloutKeys, gate: RolloutGate) {
  const { verdict, row } = gate;
  return {
    service: keys.service,
    environment: keys.environment,
    release: keys.release,
    state: verdict.allowed && row.rollout.state === "verifying" ? "contract_ready" : row.rollout.state,
    allowed: verdict.allowed,
    window_ends_at: verdict.windowEndsAt?.toISOString() ?? null,
    approvals: verdict.approvals,
    contract_checksum: row.rollout.contractChecksum,
    checks: verdict.checks.map((c) => ({ id: c.id, title: c.title, status: c.status, message: c.message, until: c.until?.toISOString() ?? null, overridden: c.overridden ?? false })),
  };
}
