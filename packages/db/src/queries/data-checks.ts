import type { DataCheckResult, DataCheckSource, StoredDataCheck } from "@rollgate/core/contract/data-checks";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { dataCheckRuns, dataChecks } from "../schema/index.ts";

/** A rollout's declared data checks, by name, locked for the transaction that changes them. */
export async function lockDataChecks(db: Db, rolloutId: string): Promise<StoredDataCheck[]> {
  return db
    .select({ name: dataChecks.name, checksum: dataChecks.checksum, source: dataChecks.source })
    .from(dataChecks)
    .where(eq(dataChecks.rolloutId, rolloutId))
    .orderBy(asc(dataChecks.name))
    .for("update");
}

/** Writes a plan of core's `planDataChecks`: new and changed texts (declared now), withdrawn names. */
export async function saveDataChecks(
  db: Db,
  input: {
    rolloutId: string;
    source: DataCheckSource;
    upsert: ReadonlyArray<{ name: string; sql: string; checksum: string }>;
    remove: readonly string[];
    now: Date;
  },
): Promise<void> {
  if (input.remove.length)
    await db
      .delete(dataChecks)
      .where(and(eq(dataChecks.rolloutId, input.rolloutId), inArray(dataChecks.name, [...input.remove])));
  if (input.upsert.length)
    await db
      .insert(dataChecks)
      .values(
        input.upsert.map((c) => ({ rolloutId: input.rolloutId, source: input.source, declaredAt: input.now, ...c })),
      )
      .onConflictDoUpdate({
        target: [dataChecks.rolloutId, dataChecks.name],
        set: {
          sql: sqlExcluded("sql"),
          checksum: sqlExcluded("checksum"),
          source: sqlExcluded("source"),
          declaredAt: sqlExcluded("declared_at"),
        },
      });
}

/** A rollout's declared checks with their SQL, oldest name first (what `rollgate inspect` runs). */
export async function listDataChecks(db: Db, rolloutId: string) {
  return db
    .select({
      name: dataChecks.name,
      sql: dataChecks.sql,
      checksum: dataChecks.checksum,
      source: dataChecks.source,
      declaredAt: dataChecks.declaredAt,
    })
    .from(dataChecks)
    .where(eq(dataChecks.rolloutId, rolloutId))
    .orderBy(asc(dataChecks.name));
}

/** The results one inspection carried, one row each (the gate reads a check's newest by checksum). */
export async function insertDataCheckRuns(
  db: Db,
  input: { inspectionId: string; environmentId: string; receivedAt: Date; results: readonly DataCheckResult[] },
): Promise<void> {
  // A name sent twice in one summary keeps its first result.
  const seen = new Set<string>();
  const rows = input.results.filter((r) => !seen.has(r.name) && seen.add(r.name));
  if (rows.length === 0) return;
  await db.insert(dataCheckRuns).values(
    rows.map((r) => ({
      inspectionId: input.inspectionId,
      environmentId: input.environmentId,
      receivedAt: input.receivedAt,
      name: r.name,
      checksum: r.checksum,
      rows: r.rows,
      sampleKeys: r.sample_keys,
      samplesWithheld: r.samples_withheld ?? null,
      durationMs: r.duration_ms,
      error: r.error ?? null,
    })),
  );
}

const sqlExcluded = (column: string) => sql.raw(`excluded.${column}`);
