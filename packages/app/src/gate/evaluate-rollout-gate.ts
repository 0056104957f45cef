import { rolloutNotFoundMessage } from "@rollgate/core/contract/rollout-key";
import type { GateResponse } from "@rollgate/core/contract/responses";
import { shownState } from "@rollgate/core/gate/shown-state";
import { evaluateGate, type GateFacts, type GateVerdict } from "@rollgate/core/gate";
import { checkDetailsJson } from "./check-details-json";
import { analyseScripts } from "./script-analysis";
import { databasePolicy, parsePolicy, type Policy } from "@rollgate/core/policy";
import type { Db } from "@rollgate/db/client";
import { loadGateFactsMany } from "@rollgate/db/queries/gate-facts";
import { findRollout, type GateRow, type RolloutKeys, type RolloutRow } from "@rollgate/db/queries/rollouts";
import { AppError } from "../errors";

export interface RolloutGate<R extends GateRow = RolloutRow> {
  row: R;
  /** The environment's policy, parsed (a stored policy that does not parse is an error). */
  policy: Policy;
  /** What the verdict was computed from, for callers that need more than the verdict. */
  facts: GateFacts;
  verdict: GateVerdict;
}

/** The rollout these keys name, or a 404 (`forUpdate` locks its row for the transaction). */
export async function rolloutOr404(
  db: Db,
  keys: RolloutKeys,
  options: { forUpdate?: boolean } = {},
): Promise<RolloutRow> {
  const row = await findRollout(db, keys, options);
  if (!row) throw new AppError("not_found", rolloutNotFoundMessage(keys));
  return row;
}

/** The gate's verdict for a rollout the caller has already read, computed from the database at `now`. */
export async function evaluateRolloutGate(db: Db, row: RolloutRow, now: Date): Promise<RolloutGate> {
  return (await evaluateRolloutGates(db, [row], now))[0]!;
}

/**
 * The verdicts of many rollouts, their facts loaded in a fixed number of statements (the
 * overview). Rows read without their scripts (`GateRow`) have them read, in one statement,
 * only where the analyser has not seen a checksum yet.
 */
export async function evaluateRolloutGates<R extends GateRow>(
  db: Db,
  rows: readonly R[],
  now: Date,
): Promise<Array<RolloutGate<R>>>;
/** The same, each gate handed to `keep` as soon as it is evaluated, and only what it returns kept. */
export async function evaluateRolloutGates<R extends GateRow, T>(
  db: Db,
  rows: readonly R[],
  now: Date,
  keep: (gate: RolloutGate<R>) => T,
): Promise<T[]>;
export async function evaluateRolloutGates<R extends GateRow, T>(
  db: Db,
  rows: readonly R[],
  now: Date,
  keep: (gate: RolloutGate<R>) => T = (gate) => gate as T,
): Promise<T[]> {
  // Environments that share one stored policy object (the overview's read shares equal ones) parse it once.
  const parsed = new Map<unknown, Policy>();
  const policies = rows.map((row) => {
    let policy = parsed.get(row.policy);
    if (!policy) {
      const result = parsePolicy(row.policy);
      if (!result.ok)
        throw new Error(`stored policy of environment ${row.environmentName} (service ${row.serviceId}) is invalid`);
      policy = result.policy;
      parsed.set(row.policy, policy);
    }
    return policy;
  });
  const analyses = await analyseScripts(db, rows);
  const facts = await loadGateFactsMany(
    db,
    rows.map((row, i) => ({ row, ...analyses[i]! })),
    now,
  );
  return rows.map((row, i) =>
    keep({ row, policy: policies[i]!, facts: facts[i]!, verdict: evaluateGate(facts[i]!, policies[i]!, now) }),
  );
}

/** A verdict on the wire (snake_case, ISO times), as `gateResponseSchema` declares it. */
export function gateJson(keys: RolloutKeys, gate: RolloutGate<GateRow>): GateResponse {
  const { verdict, row } = gate;
  return {
    service: keys.service,
    environment: keys.environment,
    release: keys.release,
    state: shownState(row.rollout.state, verdict.allowed),
    allowed: verdict.allowed,
    window_ends_at: verdict.windowEndsAt?.toISOString() ?? null,
    approvals: verdict.approvals,
    contract_checksum: row.rollout.contractChecksum,
    executor: executorJson(gate.policy),
    checks: verdict.checks.map((c) => ({
      id: c.id,
      title: c.title,
      status: c.status,
      message: c.message,
      until: c.until?.toISOString() ?? null,
      overridden: c.overridden ?? false,
      blocking: c.blocking ?? true,
      ...(c.links ? { links: c.links } : {}),
      ...(c.details ? { details: checkDetailsJson(c.details) } : {}),
    })),
  };
}

/** How `rollgate run --database-url` takes locks in this environment (the policy's database settings). */
function executorJson(policy: Policy): GateResponse["executor"] {
  const d = databasePolicy(policy);
  return {
    lock_timeout_ms: d.lockTimeoutMs,
    statement_timeout_ms: d.statementTimeoutMs,
    lock_retries: d.lockRetries,
    blockers: d.blockers,
    blocker_wait_seconds: d.blockerWaitSeconds,
  };
}
