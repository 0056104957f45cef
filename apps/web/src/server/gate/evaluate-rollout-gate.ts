import "server-only";
import type { GateResponse } from "@rollgate/core/contract/responses";
import type { RolloutState } from "@rollgate/core/types";
import { evaluateGate, type DatabaseFacts, type GateFacts, type GateVerdict } from "@rollgate/core/gate";
import { checkDetailsJson } from "./check-details-json";
import { databasePolicy, parsePolicy, type Policy } from "@rollgate/core/policy";
import { analyseSql } from "@rollgate/core/sql";
import type { Db } from "@rollgate/db/client";
import { loadGateFactsMany, type GateFactsInput } from "@rollgate/db/queries/gate-facts";
import { findRollout, type RolloutKeys, type RolloutRow } from "@rollgate/db/queries/rollouts";
import { AppError } from "../errors";

export interface RolloutGate {
  row: RolloutRow;
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
  if (!row) throw new AppError("not_found", `No release ${keys.release} of ${keys.service} in ${keys.environment}.`);
  return row;
}

/** The gate's verdict for a rollout the caller has already read, computed from the database at `now`. */
export async function evaluateRolloutGate(db: Db, row: RolloutRow, now: Date): Promise<RolloutGate> {
  return (await evaluateRolloutGates(db, [row], now))[0]!;
}

/** The verdicts of many rollouts, their facts loaded in a fixed number of statements (the overview). */
export async function evaluateRolloutGates(db: Db, rows: readonly RolloutRow[], now: Date): Promise<RolloutGate[]> {
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
  const inputs: GateFactsInput[] = [];
  for (const row of rows)
    inputs.push({
      row,
      expandDestructiveFindings: await destructiveStatements(row.rollout.expandSql, row.rollout.expandChecksum),
      contract: await contractFacts(row.rollout.contractSql, row.rollout.contractChecksum),
    });
  const facts = await loadGateFactsMany(db, inputs, now);
  return rows.map((row, i) => ({
    row,
    policy: policies[i]!,
    facts: facts[i]!,
    verdict: evaluateGate(facts[i]!, policies[i]!, now),
  }));
}

// A script is analysed once per process: the gate is read on every poll, the script rarely changes.
const analysed = new Map<string, number>();

/** How many of the expand script's statements are destructive (analyser), once per script and process. */
function destructiveStatements(sql: string | null, checksum: string | null): number | Promise<number> {
  if (!sql) return 0;
  const key = checksum ?? sql;
  return analysed.get(key) ?? analyseExpand(sql, key);
}

async function analyseExpand(sql: string, key: string): Promise<number> {
  const count = (await analyseSql(sql, { phase: "expand" })).findings.filter((f) => f.category === "contract").length;
  if (analysed.size >= 1000) analysed.delete(analysed.keys().next().value!);
  analysed.set(key, count);
  return count;
}

const contracts = new Map<string, DatabaseFacts["contract"]>();

/** What the contract removes and the locks it takes (analyser), once per script and process. */
function contractFacts(
  sql: string | null,
  checksum: string | null,
): DatabaseFacts["contract"] | Promise<DatabaseFacts["contract"]> {
  if (!sql || !checksum) return null;
  return contracts.get(checksum) ?? analyseContract(sql, checksum);
}

async function analyseContract(sql: string, checksum: string): Promise<DatabaseFacts["contract"]> {
  const analysis = await analyseSql(sql, { phase: "contract" });
  const facts = { checksum, removed: analysis.objects, statements: analysis.statements };
  if (contracts.size >= 1000) contracts.delete(contracts.keys().next().value!);
  contracts.set(checksum, facts);
  return facts;
}

/** A verdict on the wire (snake_case, ISO times), as `gateResponseSchema` declares it. */
export function gateJson(keys: RolloutKeys, gate: RolloutGate): GateResponse {
  const { verdict, row } = gate;
  return {
    service: keys.service,
    environment: keys.environment,
    release: keys.release,
    state:
      verdict.allowed && row.rollout.state === "verifying" ? "contract_ready" : (row.rollout.state as RolloutState),
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
