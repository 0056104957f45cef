import type { GateResponse } from "@rollgate/core/contract/responses";
import { shownState } from "@rollgate/core/gate/shown-state";
import { evaluateGate, type DatabaseFacts, type GateFacts, type GateVerdict } from "@rollgate/core/gate";
import { checkDetailsJson } from "./check-details-json";
import { databasePolicy, parsePolicy, type Policy } from "@rollgate/core/policy";
import { analyseSql } from "@rollgate/core/sql";
import type { Db } from "@rollgate/db/client";
import { loadGateFactsMany, type GateFactsInput } from "@rollgate/db/queries/gate-facts";
import {
  findRollout,
  readRolloutScripts,
  type GateRow,
  type RolloutKeys,
  type RolloutRow,
} from "@rollgate/db/queries/rollouts";
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
  if (!row) throw new AppError("not_found", `No release ${keys.release} of ${keys.service} in ${keys.environment}.`);
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

/** What the gate takes from the SQL analyser: the expand script's destructive statements, what the contract removes. */
type ScriptAnalysis = Pick<GateFactsInput, "expandDestructiveFindings" | "contract">;

// A script is analysed once per process, by checksum: the gate is read on every poll, the script rarely changes.
const expands = new Map<string, number>();
const contracts = new Map<string, DatabaseFacts["contract"]>();
const CACHED_SCRIPTS = 1000;

const hasScripts = (rollout: GateRow["rollout"]): rollout is RolloutRow["rollout"] =>
  "expandSql" in rollout && "contractSql" in rollout;

/**
 * Each row's analysis: from the per-process cache where both checksums are known, else from
 * the row's scripts, or, for a row read without them, from one read of every such row's
 * scripts. A fetched script is analysed and cached under the checksum it was read with, so a
 * script replaced between the two reads never lands under its predecessor's checksum.
 */
async function analyseScripts(db: Db, rows: readonly GateRow[]): Promise<ScriptAnalysis[]> {
  // A row with its scripts is analysed from them (through the same cache); one without, from the cache alone if it can be.
  const known = rows.map(({ rollout }) => (hasScripts(rollout) ? undefined : cachedAnalysis(rollout)));
  const unread = rows.flatMap(({ rollout }, i) => (known[i] || hasScripts(rollout) ? [] : [rollout.id]));
  const read = await readRolloutScripts(db, unread);
  const analyses: ScriptAnalysis[] = [];
  // One after another: rollouts of one release share their scripts, analysed once.
  for (const [i, { rollout }] of rows.entries()) {
    const cached = known[i];
    if (cached) {
      analyses.push(cached);
      continue;
    }
    const scripts = hasScripts(rollout) ? rollout : read.get(rollout.id);
    if (!scripts) throw new Error(`rollout ${rollout.id} was deleted while its gate was being evaluated`);
    analyses.push({
      expandDestructiveFindings: await destructiveStatements(scripts.expandSql, scripts.expandChecksum),
      contract: await contractFacts(scripts.contractSql, scripts.contractChecksum),
    });
  }
  return analyses;
}

/** The analysis from the cache alone, or undefined when the scripts must be read. */
function cachedAnalysis(rollout: GateRow["rollout"]): ScriptAnalysis | undefined {
  // Without a checksum the text itself is the key, so it must be read.
  const expand = rollout.expandChecksum === null ? undefined : expands.get(rollout.expandChecksum);
  // A contract without a checksum is never analysed (`contractFacts`), whatever its text.
  const contract = rollout.contractChecksum === null ? null : contracts.get(rollout.contractChecksum);
  return expand === undefined || contract === undefined ? undefined : { expandDestructiveFindings: expand, contract };
}

/** How many of the expand script's statements are destructive (analyser), once per script and process;
 * null when the rollout holds no text of its expand (an expand that ran unseen is unknown, never additive). */
function destructiveStatements(sql: string | null, checksum: string | null): number | null | Promise<number> {
  if (sql === null) return checksum === null ? 0 : null;
  return destructiveStatementCount(sql, checksum ?? sql);
}

/**
 * How many of an expand script's statements are destructive (the analyser's `contract`
 * findings): the one count the gate, the ingest of `migration.started` and the worker use,
 * cached per process under `key` (the script's checksum, or its text).
 */
export function destructiveStatementCount(sql: string, key: string): number | Promise<number> {
  if (!sql) return 0;
  return expands.get(key) ?? analyseExpand(sql, key);
}

async function analyseExpand(sql: string, key: string): Promise<number> {
  const count = (await analyseSql(sql, { phase: "expand" })).findings.filter((f) => f.category === "contract").length;
  remember(expands, key, count);
  return count;
}

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
  remember(contracts, checksum, facts);
  return facts;
}

/** Keeps at most `CACHED_SCRIPTS` entries, dropping the oldest. */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHED_SCRIPTS) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
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
