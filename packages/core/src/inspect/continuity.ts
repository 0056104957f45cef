import type { Inspection } from "../contract/inspection.ts";
import { utcText } from "../format.ts";

// Whether two inspections' counters may be compared. pg_stat_statements' counts are cumulative
// only while the same server runs without a reset and nothing is evicted: a statement missing
// from a later inspection is not evidence that it stopped (it may have been evicted, or reset
// on its own with pg_stat_statements_reset(userid, dbid, queryid)). Each answer is a sentence
// for an `unknown` check, or null when nothing is in the way.

type Summary = Omit<Inspection, "usage">;

/** What breaks the comparison of `earlier` with `later` outright: another database, an
 * inspection that is not newer by the database's own clock, a restart, a reset. */
export function countersBroken(earlier: Summary, later: Summary, names: readonly [string, string]): string | null {
  const [a, b] = [earlier.server, later.server];
  const take = "take a new window-start inspection";
  if (a.system_identifier && b.system_identifier && a.system_identifier !== b.system_identifier)
    return `The ${names[1]} inspection is of another database cluster (system identifier ${b.system_identifier}, the ${names[0]} one ${a.system_identifier}): a restore, a new cluster or another server; ${take}.`;
  if (a.database !== b.database)
    return `The ${names[1]} inspection is of another database (${b.database}, the ${names[0]} one ${a.database}); ${take}.`;
  if (a.now && b.now && Date.parse(b.now) <= Date.parse(a.now))
    return `The ${names[1]} inspection is not newer than the ${names[0]} inspection by the database's own clock (${utcText(new Date(b.now))}, not after ${utcText(new Date(a.now))}): a repeated or re-sent summary says nothing about the time between; run rollgate inspect again.`;
  if (a.started_at !== b.started_at)
    return `The database server restarted (at ${utcText(new Date(b.started_at))}) between the two inspections, so its counters started again from zero: ${take}.`;
  const [ra, rb] = [earlier.statistics.stats_reset, later.statistics.stats_reset];
  if (ra !== undefined && rb !== undefined && (ra ?? null) !== (rb ?? null))
    return `pg_stat_statements_reset() ran between the two inspections (at ${rb ? utcText(new Date(rb)) : "an unknown time"}), so counters went down: ${take}.`;
  return null;
}

/** What keeps "nothing ran" from being proven, once nothing grew: a summary without the
 * database's clock and identity, evictions (`dealloc` changed), statements that disappeared. */
export function absenceUnproven(earlier: Summary, later: Summary, names: readonly [string, string]): string | null {
  for (const [which, s] of [
    [names[0], earlier],
    [names[1], later],
  ] as const) {
    const missing = [
      s.server.now ? null : "now()",
      s.server.system_identifier ? null : "the system identifier",
      s.statistics.dealloc !== undefined && s.statistics.stats_reset !== undefined ? null : "pg_stat_statements_info",
    ].filter(Boolean);
    if (missing.length)
      return `The ${which} inspection was sent by a rollgate inspect that does not report the database's clock and identity (${missing.join(", ")}): upgrade it, then take a new window-start inspection; without them a statement that stopped cannot be told from one that was forgotten.`;
  }
  const now = new Set(later.statements.map((s) => s.id));
  const gone = earlier.statements.filter((s) => !now.has(s.id));
  if (gone.length)
    return `${gone.length} statement(s) seen earlier that name what the contract removes are no longer in pg_stat_statements (evicted, or reset one by one): ${gone
      .slice(0, 2)
      .map((s) => `"${clip(s.text)}" (${s.calls} call(s) at the ${names[0]} inspection)`)
      .join("; ")}; whether they ran since is unknown: take a new window-start inspection.`;
  const [da, db] = [earlier.statistics.dealloc ?? 0, later.statistics.dealloc ?? 0];
  if (da !== db)
    return `pg_stat_statements evicted ${Math.max(db - da, 0) || "some"} statement(s) between the two inspections (dealloc ${da} → ${db}): one that used what the contract removes may have run and been forgotten. Raise pg_stat_statements.max, then take a new window-start inspection.`;
  return null;
}

export function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}…` : flat;
}
