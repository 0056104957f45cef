import { registerAttributes } from "@rollgate/core/access/release-binding";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import type { RolloutProjection, RolloutState } from "@rollgate/core/types";
import { and, asc, eq, getTableColumns, inArray, isNull, sql, type SQL, type Table } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import { rowsOf, type Db } from "../client.ts";
import { environments, releases, rollouts, services } from "../schema/index.ts";
import { compiledStatement } from "./compiled.ts";

/** A rollout's address: the wire contract's key triple. */
export type RolloutKeys = RolloutKey;

// postgres.js (as drizzle sets it up) may hand JSON back as text; PGlite parses it.
const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value) as unknown[];

/**
 * A table's row as a JSON array of its columns (`select`), and back to what a select of the
 * table returns (`map`: timestamps, which JSON carries as text, become dates again); `omit`
 * leaves columns out of both.
 */
function columnsOf<T extends Table, O extends keyof T["$inferSelect"] = never>(table: T, omit: readonly O[] = []) {
  const columns = Object.entries(getTableColumns(table))
    .filter(([key]) => !(omit as readonly string[]).includes(key))
    .map(([key, column]) => [key, toSnakeCase(column.name), column.dataType === "date"] as const);
  return {
    select: (alias: string): SQL =>
      sql.raw(`json_build_array(${columns.map(([, name]) => `${alias}.${name}`).join(", ")})`),
    map: (values: unknown[]): Omit<T["$inferSelect"], O> => {
      const row: Record<string, unknown> = {};
      columns.forEach(([key, , isDate], i) => {
        const value = values[i] ?? null;
        row[key] = isDate && value !== null ? new Date(value as string) : value;
      });
      return row as Omit<T["$inferSelect"], O>;
    },
  };
}
export const rolloutColumns = columnsOf(rollouts);
export const releaseColumns = columnsOf(releases);
/** The same without the scripts' text, which only the SQL analyser reads (`GateRow`). */
export const scriptlessRolloutColumns = columnsOf(rollouts, ["expandSql", "contractSql"]);
export const scriptlessReleaseColumns = columnsOf(releases, ["expandSql", "contractSql"]);

/** Service and environment by slug and name (the environment's policy is still raw JSON). */
export async function findEnvironment(db: Db, service: string, environment: string) {
  const [row] = await db
    .select({
      serviceId: services.id,
      environmentId: environments.id,
      position: environments.position,
      productionLike: environments.productionLike,
      policy: environments.policy,
    })
    .from(environments)
    .innerJoin(services, eq(services.id, environments.serviceId))
    .where(and(eq(services.slug, service), eq(environments.name, environment)))
    .limit(1);
  return row ?? null;
}

/** A rollout with its release, environment and service's id: what the gate and use cases read. */
export interface RolloutRow {
  rollout: typeof rollouts.$inferSelect;
  release: typeof releases.$inferSelect;
  environmentName: string;
  environmentPosition: number;
  /** The environment's production-like flag (migration 0016). */
  environmentProductionLike: boolean;
  /** The environment's stored policy, not yet parsed. */
  policy: unknown;
  serviceId: string;
}

/**
 * What the gate needs of a rollout besides what its scripts say: the row without the scripts'
 * text (their checksums stay). The analyser's verdict on a script is kept per process by
 * checksum, so a read of hundreds of rollouts (the overview) leaves the text in the database
 * and fetches it only for checksums not yet analysed. A `RolloutRow` is a `GateRow`; a row read
 * without its scripts simply has no `expandSql` or `contractSql` property (never null for "not read").
 */
export interface GateRow extends Omit<RolloutRow, "rollout" | "release"> {
  rollout: Omit<RolloutRow["rollout"], "expandSql" | "contractSql">;
  release: Omit<RolloutRow["release"], "expandSql" | "contractSql">;
}

/** A rollout row as plain SQL gives it (`rolloutColumns.select`, `releaseColumns.select`, the policy as text). */
export interface RawRolloutRow {
  serviceId: string;
  environmentName: string;
  environmentPosition: number | string;
  environmentProductionLike: boolean;
  policy: string;
  rollout: unknown;
  release: unknown;
}

/** The row from its plain-SQL form; `policyOf` may share equal policies. */
export function rolloutRowOf(raw: RawRolloutRow, policyOf: (text: string) => unknown = JSON.parse): RolloutRow {
  return {
    ...placeOf(raw, policyOf),
    rollout: rolloutColumns.map(json(raw.rollout)),
    release: releaseColumns.map(json(raw.release)),
  };
}

/** The same for a row selected with `scriptlessRolloutColumns` and `scriptlessReleaseColumns`. */
export function gateRowOf(raw: RawRolloutRow, policyOf: (text: string) => unknown = JSON.parse): GateRow {
  return {
    ...placeOf(raw, policyOf),
    rollout: scriptlessRolloutColumns.map(json(raw.rollout)),
    release: scriptlessReleaseColumns.map(json(raw.release)),
  };
}

function placeOf(raw: RawRolloutRow, policyOf: (text: string) => unknown) {
  return {
    environmentName: raw.environmentName,
    environmentPosition: Number(raw.environmentPosition),
    environmentProductionLike: raw.environmentProductionLike === true,
    policy: policyOf(raw.policy),
    serviceId: raw.serviceId,
  };
}

/**
 * By keys, with or without a lock, as plain SQL: the rollout and its release each as one JSON
 * array of their table's columns, mapped back by `rolloutRowOf` (the overview reads its rows the
 * same way). The gate reads one on every poll and every event locks one; a select builder's
 * field-by-field mapping and query building cost a large share of both (docs/BENCHMARKS.md).
 * Compiled once (compiled.ts), so it applies inside a transaction too.
 */
const rolloutByKeys = (lock: boolean) =>
  compiledStatement(
    (service: string, environment: string, release: string) =>
      sql`select s.id as "serviceId", e.name as "environmentName", e.position as "environmentPosition",
          e.production_like as "environmentProductionLike", e.policy::text as policy,
          ${rolloutColumns.select("r")} as rollout, ${releaseColumns.select("l")} as release
        from rollouts r
        join releases l on l.id = r.release_id
        join environments e on e.id = r.environment_id
        join services s on s.id = e.service_id
        where s.slug = ${service} and e.name = ${environment} and l.key = ${release}
        limit 1${lock ? sql` for update of r` : sql``}`,
    ["\u0000service", "\u0000environment", "\u0000release"],
  );
const unlockedByKeys = rolloutByKeys(false);
const lockedByKeys = rolloutByKeys(true);

/**
 * The rollout with its release; `forUpdate` locks the rollout row until the transaction
 * ends, which serialises every change to one rollout across all replicas.
 */
export async function findRollout(
  db: Db,
  keys: RolloutKeys,
  options: { forUpdate?: boolean } = {},
): Promise<RolloutRow | null> {
  const statement = options.forUpdate ? lockedByKeys : unlockedByKeys;
  const [raw] = rowsOf<RawRolloutRow>(await db.execute(statement(keys.service, keys.environment, keys.release)));
  return raw ? rolloutRowOf(raw) : null;
}

export function projectionOf(row: GateRow["rollout"]): RolloutProjection {
  return {
    state: row.state as RolloutState,
    releaseVersion: row.releaseVersion,
    currentVersion: row.currentVersion,
    deployedAt: row.deployedAt,
    flagPercent: row.flagPercent,
    flagFullAt: row.flagFullAt,
    windowStartedAt: row.windowStartedAt,
    lastRollbackAt: row.lastRollbackAt,
    expandChecksum: row.expandChecksum,
    contractChecksum: row.contractChecksum,
  };
}

export async function saveProjection(
  db: Db,
  rolloutId: string,
  projection: RolloutProjection,
  at: Date,
): Promise<void> {
  await db
    .update(rollouts)
    .set({ ...projection, version: sql`${rollouts.version} + 1`, updatedAt: at })
    .where(eq(rollouts.id, rolloutId));
}

export interface ReleaseScripts {
  expandSql: string | null;
  expandChecksum: string | null;
  contractSql: string | null;
  contractChecksum: string | null;
}

export type RegisterOutcome =
  | { ok: true; releaseId: string; created: boolean; contractChanged: boolean }
  | { ok: false; code: "release_conflict" | "script_locked"; message: string; field: string };

const EXPAND_OPEN = ["planned", "expand_failed"];
const CONTRACT_LOCKED = ["contracting", "contracted", "contract_failed"];

/**
 * `release.created` from one environment's pipeline. The release's attributes (author, app
 * version, commit sha) are bound per environment, by the first registration from a token that may act on
 * it (`mayActOn`, the token's environments): core's `registerAttributes` decides which. Other
 * environments get a provisional planned rollout without scripts, bound later by their own
 * pipelines; scripts belong to each rollout and only this environment's rollout takes them, so
 * a token for one environment never changes what another's gate reads or runs. Call with
 * nothing locked; it locks the release and this rollout.
 */
export async function registerRelease(
  db: Db,
  params: {
    serviceId: string;
    environmentId: string;
    /** Names of the environments the registering token may act on. */
    mayActOn: readonly string[];
    key: string;
    title: string;
    author: string;
    appVersion: string;
    /** The commit the pipeline built; null: not said (recorded per environment like the author, then fixed there). */
    commitSha?: string | null;
  } & ReleaseScripts,
): Promise<RegisterOutcome> {
  const inserted = await db
    .insert(releases)
    .values({
      serviceId: params.serviceId,
      key: params.key,
      title: params.title,
      author: params.author,
      appVersion: params.appVersion,
    })
    .onConflictDoNothing()
    .returning({ id: releases.id });
  const [release] = await db
    .select()
    .from(releases)
    .where(and(eq(releases.serviceId, params.serviceId), eq(releases.key, params.key)))
    .for("update");
  if (!release) throw new Error("release vanished after insert");
  const envs = await db
    .select({ id: environments.id, name: environments.name })
    .from(environments)
    .where(eq(environments.serviceId, params.serviceId))
    .orderBy(asc(environments.position));
  await db
    .insert(rollouts)
    .values(
      envs.map((e) => ({
        releaseId: release.id,
        environmentId: e.id,
        releaseVersion: params.appVersion,
        provisional: true,
      })),
    )
    .onConflictDoNothing();
  const existing = await db
    .select({
      environmentId: rollouts.environmentId,
      provisional: rollouts.provisional,
      author: rollouts.author,
      releaseVersion: rollouts.releaseVersion,
      commitSha: rollouts.commitSha,
    })
    .from(rollouts)
    .where(eq(rollouts.releaseId, release.id));
  const nameOf = new Map(envs.map((e) => [e.id, e.name]));
  const environment = nameOf.get(params.environmentId);
  if (!environment) throw new Error("the environment is not the service's");
  const commitSha = params.commitSha ?? null;
  const decided = registerAttributes({
    release: params.key,
    environment,
    mayActOn: params.mayActOn,
    incoming: { author: params.author, appVersion: params.appVersion, commitSha },
    environments: existing.map((r) => ({
      environment: nameOf.get(r.environmentId) ?? r.environmentId,
      bound: r.provisional
        ? null
        : { author: r.author ?? release.author, appVersion: r.releaseVersion, commitSha: r.commitSha },
    })),
  });
  if (!decided.ok) return { ok: false, code: "release_conflict", field: decided.field, message: decided.message };
  const bind = envs.filter((e) => decided.bind.includes(e.name)).map((e) => e.id);
  if (bind.length)
    await db
      .update(rollouts)
      .set({ provisional: false, author: params.author, releaseVersion: params.appVersion, commitSha })
      .where(
        and(eq(rollouts.releaseId, release.id), inArray(rollouts.environmentId, bind), eq(rollouts.provisional, true)),
      );
  const record = envs.filter((e) => decided.recordCommit.includes(e.name)).map((e) => e.id);
  if (record.length)
    await db
      .update(rollouts)
      .set({ commitSha })
      .where(
        and(
          eq(rollouts.releaseId, release.id),
          inArray(rollouts.environmentId, record),
          eq(rollouts.provisional, false),
          isNull(rollouts.commitSha),
        ),
      );
  const [own] = await db
    .select()
    .from(rollouts)
    .where(and(eq(rollouts.releaseId, release.id), eq(rollouts.environmentId, params.environmentId)))
    .for("update");
  if (!own) throw new Error("rollout vanished after insert");
  const patch: Partial<typeof rollouts.$inferInsert> = {};
  if (params.expandChecksum !== null && params.expandChecksum !== own.expandChecksum) {
    if (!EXPAND_OPEN.includes(own.state))
      return {
        ok: false,
        code: "script_locked",
        field: "data.expand_sql",
        message: `The expand script cannot change: it already ran in ${own.state.replaceAll("_", " ")} state. A new expand belongs in a new release.`,
      };
    Object.assign(patch, { expandSql: params.expandSql, expandChecksum: params.expandChecksum });
  } else if (params.expandChecksum !== null && own.expandSql === null)
    // The text of an expand that ran with only its checksum: the same bytes, so no change, and the gate can read it.
    Object.assign(patch, { expandSql: params.expandSql });
  const contractChanged = params.contractChecksum !== null && params.contractChecksum !== own.contractChecksum;
  if (contractChanged) {
    if (CONTRACT_LOCKED.includes(own.state))
      return {
        ok: false,
        code: "script_locked",
        field: "data.contract_sql",
        message:
          "The contract script cannot change once the contract has started; a fix after a failure runs as a recovery run (break-glass).",
      };
    Object.assign(patch, { contractSql: params.contractSql, contractChecksum: params.contractChecksum });
  }
  if (Object.keys(patch).length) await db.update(rollouts).set(patch).where(eq(rollouts.id, own.id));
  return { ok: true, releaseId: release.id, created: inserted.length > 0, contractChanged };
}

/** Replaces one script of a rollout (a confirmed recovery run's fix). */
export async function setRolloutScript(
  db: Db,
  rolloutId: string,
  phase: "expand" | "contract",
  script: string,
): Promise<void> {
  await db
    .update(rollouts)
    .set(phase === "expand" ? { expandSql: script } : { contractSql: script })
    .where(eq(rollouts.id, rolloutId));
}

/** The scripts of these rollouts as they are now, with the checksums they were stored with, in one
 * statement; a rollout that no longer exists is absent. */
export async function readRolloutScripts(db: Db, rolloutIds: readonly string[]): Promise<Map<string, ReleaseScripts>> {
  if (rolloutIds.length === 0) return new Map();
  const rows = await db
    .select({
      id: rollouts.id,
      expandSql: rollouts.expandSql,
      expandChecksum: rollouts.expandChecksum,
      contractSql: rollouts.contractSql,
      contractChecksum: rollouts.contractChecksum,
    })
    .from(rollouts)
    .where(inArray(rollouts.id, [...rolloutIds]));
  return new Map(rows.map(({ id, ...scripts }) => [id, scripts]));
}
