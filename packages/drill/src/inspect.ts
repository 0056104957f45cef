import { createHash } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import type { Inspection } from "@rollgate/core/contract/inspection";
import type { InspectionFact } from "@rollgate/core/gate";
import { collectInspection } from "@rollgate/core/inspect/collect";
import { freshDrillDatabase, type TemplateOptions } from "./template.ts";

// The drill's application database, with pg_stat_statements when the embedded build can load
// it (PGlite 0.5 ships it as a contrib extension), so "nothing still uses what the contract
// removes" runs on real statistics. Without it the drill shows that check as unknown.

export interface DrillDatabase {
  db: PGlite;
  /** Why there are no statement statistics (null: there are). */
  noStatistics: string | null;
}

export async function openDrillDatabase(template: TemplateOptions = {}): Promise<DrillDatabase> {
  try {
    const { pg_stat_statements } = await import("@electric-sql/pglite/contrib/pg_stat_statements");
    const db = await freshDrillDatabase({ ...template, extensions: { pg_stat_statements } });
    await db.exec("create extension if not exists pg_stat_statements");
    return { db, noStatistics: null };
  } catch (error) {
    return {
      db: await freshDrillDatabase(template),
      noStatistics: `the embedded PGlite could not load pg_stat_statements (${(error as Error).message})`,
    };
  }
}

/** One inspection of the drill's database, as `rollgate inspect` takes it, stamped with `at`. */
export async function inspectDrill(
  db: PGlite,
  scripts: { contract: string; expand: string },
  at: Date,
  windowStart = false,
): Promise<InspectionFact> {
  const sha = (s: string) => createHash("sha256").update(s).digest("hex");
  const query = async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows;
  const summary = await collectInspection(query, {
    contract: { sql: scripts.contract, checksum: sha(scripts.contract) },
    expand: { sql: scripts.expand, checksum: sha(scripts.expand) },
    windowStart,
  });
  const { usage: _usage, ...rest } = summary as Inspection;
  return { id: `drill-${at.getTime()}-${Math.random()}`, receivedAt: at, summary: rest };
}
