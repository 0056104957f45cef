import type { Inspection } from "@rollgate/core/contract/inspection";
import type { ObservedManifestFact } from "@rollgate/core/eligibility";
import type { ObservedManifest, ObservedWorkload } from "@rollgate/core/inspect/manifests";
import type { HeldInspections } from "@rollgate/core/lifecycle";
import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { insertDataCheckRuns } from "./data-checks.ts";
import { appDeployments, inspections, observedManifests, observedWorkloads } from "../schema/index.ts";

/** Stores one inspection (its usage map only when it was sent whole, its workload apart from the
 * summary), and its data check results row by row; the SQL of the checks it declared lives in
 * `data_checks`, not in the summary. */
export async function insertInspection(
  db: Db,
  input: { environmentId: string; rolloutId: string; eventId: string; receivedAt: Date; inspection: Inspection },
): Promise<{ id: string }> {
  const { usage, workload, declared_checks: _declared, ...summary } = input.inspection;
  const [row] = await db
    .insert(inspections)
    .values({
      environmentId: input.environmentId,
      rolloutId: input.rolloutId,
      eventId: input.eventId,
      receivedAt: input.receivedAt,
      windowStart: summary.window_start ?? false,
      takenAt: summary.server.now ? new Date(summary.server.now) : null,
      systemIdentifier: summary.server.system_identifier ?? null,
      summary,
      usage: input.inspection.usage_complete ? usage : null,
      workload: workload ?? null,
    })
    .returning({ id: inspections.id });
  if (summary.data_checks?.length)
    await insertDataCheckRuns(db, {
      inspectionId: row!.id,
      environmentId: input.environmentId,
      receivedAt: input.receivedAt,
      results: summary.data_checks,
    });
  return { id: row!.id };
}

/** The environment's newest inspection received before `before`, with its usage map and workload. */
export async function inspectionBefore(db: Db, environmentId: string, before: Date) {
  const [previous] = await db
    .select({
      receivedAt: inspections.receivedAt,
      summary: inspections.summary,
      usage: inspections.usage,
      workload: inspections.workload,
    })
    .from(inspections)
    .where(and(eq(inspections.environmentId, environmentId), lt(inspections.receivedAt, before)))
    .orderBy(desc(inspections.receivedAt))
    .limit(1);
  return previous ?? null;
}

/** The versions deployed to an environment before `before`, oldest first. */
export async function deploymentsBefore(db: Db, environmentId: string, before: Date) {
  return db
    .select({ version: appDeployments.version, deployedAt: appDeployments.occurredAt })
    .from(appDeployments)
    .where(and(eq(appDeployments.environmentId, environmentId), lt(appDeployments.occurredAt, before)))
    .orderBy(asc(appDeployments.occurredAt));
}

/** What the environment's inspections observed a version use so far, its row locked for the transaction. */
export async function lockObservedManifest(db: Db, environmentId: string, version: string) {
  const [current] = await db
    .select()
    .from(observedManifests)
    .where(and(eq(observedManifests.environmentId, environmentId), eq(observedManifests.version, version)))
    .for("update");
  return current
    ? { version: current.version, entries: current.entries, from: current.coveredFrom, to: current.coveredTo }
    : null;
}

/** Writes a version's observed manifest as merged by core, counting one more interval. */
export async function saveObservedManifest(db: Db, environmentId: string, merged: ObservedManifest): Promise<void> {
  await db
    .insert(observedManifests)
    .values({
      environmentId,
      version: merged.version,
      entries: merged.entries,
      coveredFrom: merged.from,
      coveredTo: merged.to,
      intervals: 1,
    })
    .onConflictDoUpdate({
      target: [observedManifests.environmentId, observedManifests.version],
      set: {
        entries: merged.entries,
        coveredFrom: merged.from,
        coveredTo: merged.to,
        intervals: sql`${observedManifests.intervals} + 1`,
      },
    });
}

/** The statements the environment's inspections observed a version run so far, its row locked for the transaction. */
export async function lockObservedWorkload(
  db: Db,
  environmentId: string,
  version: string,
): Promise<ObservedWorkload | null> {
  const [current] = await db
    .select()
    .from(observedWorkloads)
    .where(and(eq(observedWorkloads.environmentId, environmentId), eq(observedWorkloads.version, version)))
    .for("update");
  return current ? workloadOf(current) : null;
}

/** Writes a version's observed statements as merged by core, counting one more interval. */
export async function saveObservedWorkload(db: Db, environmentId: string, merged: ObservedWorkload): Promise<void> {
  const values = {
    statements: merged.statements,
    coveredFrom: merged.from,
    coveredTo: merged.to,
    complete: merged.complete,
  };
  await db
    .insert(observedWorkloads)
    .values({ environmentId, version: merged.version, ...values, intervals: 1 })
    .onConflictDoUpdate({
      target: [observedWorkloads.environmentId, observedWorkloads.version],
      set: { ...values, intervals: sql`${observedWorkloads.intervals} + 1` },
    });
}

/** The statements observed of one version in an environment, or null when none was. */
export async function findObservedWorkload(
  db: Db,
  environmentId: string,
  version: string,
): Promise<ObservedWorkload | null> {
  const [row] = await db
    .select()
    .from(observedWorkloads)
    .where(and(eq(observedWorkloads.environmentId, environmentId), eq(observedWorkloads.version, version)));
  return row ? workloadOf(row) : null;
}

function workloadOf(row: typeof observedWorkloads.$inferSelect): ObservedWorkload {
  return {
    version: row.version,
    statements: row.statements,
    from: row.coveredFrom,
    to: row.coveredTo,
    complete: row.complete,
  };
}

/** What an environment holds of one database (by its system identifier) at or after `takenAt`, by
 * the database's own clock: for core's `admitInspection`. */
export async function heldInspections(
  db: Db,
  input: { environmentId: string; systemIdentifier: string; takenAt: Date },
): Promise<HeldInspections> {
  const [row] = await db
    .select({
      newest: sql<string | null>`max(${inspections.takenAt})`,
      same: sql<boolean>`coalesce(bool_or(${inspections.takenAt} = ${input.takenAt.toISOString()}::timestamptz), false)`,
    })
    .from(inspections)
    .where(
      and(
        eq(inspections.environmentId, input.environmentId),
        eq(inspections.systemIdentifier, input.systemIdentifier),
        gte(inspections.takenAt, input.takenAt),
      ),
    );
  return { newestTakenAt: row?.newest ? new Date(row.newest) : null, sameTakenAt: Boolean(row?.same) };
}

/** Observed manifests of an environment, for rollback eligibility. */
export async function listObservedManifests(db: Db, environmentId: string): Promise<ObservedManifestFact[]> {
  const rows = await db.select().from(observedManifests).where(eq(observedManifests.environmentId, environmentId));
  return rows.map((r) => ({ version: r.version, entries: r.entries, from: r.coveredFrom, to: r.coveredTo }));
}

/** The newest inspections of an environment, for the rollout page. */
export async function inspectionHistory(db: Db, environmentId: string, limit = 20) {
  return db
    .select({
      id: inspections.id,
      receivedAt: inspections.receivedAt,
      windowStart: inspections.windowStart,
      available: sql<boolean>`(${inspections.summary}->'statistics'->>'available')::boolean`,
      statements: sql<number>`(${inspections.summary}->'statistics'->>'statements')::int`,
      flagged: sql<number>`jsonb_array_length(${inspections.summary}->'statements')`,
      drift: sql<number>`(select count(*)::int from jsonb_array_elements(${inspections.summary}->'expand') e where e->>'state' <> 'present')`,
      sessions: sql<number>`jsonb_array_length(${inspections.summary}->'sessions')`,
      durationMs: sql<number>`(${inspections.summary}->>'duration_ms')::int`,
    })
    .from(inspections)
    .where(eq(inspections.environmentId, environmentId))
    .orderBy(desc(inspections.receivedAt))
    .limit(limit);
}
