import type { DatabaseFacts } from "@rollgate/core/gate";
import { analyseSql } from "@rollgate/core/sql";
import type { Db } from "@rollgate/db/client";
import type { GateFactsInput } from "@rollgate/db/queries/gate-facts";
import { readRolloutScripts, type GateRow, type RolloutRow } from "@rollgate/db/queries/rollouts";

/** What the gate takes from the SQL analyser: the expand script's destructive statements, what the contract removes. */
export type ScriptAnalysis = Pick<GateFactsInput, "expandDestructiveFindings" | "contract">;

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
export async function analyseScripts(db: Db, rows: readonly GateRow[]): Promise<ScriptAnalysis[]> {
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
