import type { Inspection } from "../contract/inspection.ts";
import { utcText } from "../format.ts";
import type { HeldInspections, Rejection } from "../lifecycle/events.ts";

// Which inspections Rollgate stores. An inspection carries the database's own clock (`now()`) and
// identity (`pg_control_system().system_identifier`); of one database (an environment's
// inspections with that identifier) Rollgate holds a line that only moves forward: a summary
// that is not newer than the newest one held — a byte-identical re-send, or an older one sent
// late — is refused and nothing is stored. Summaries from older CLIs carry neither and are
// stored, but the usage check never passes on them (core/inspect/continuity.ts).

/** How far the database's clock may be ahead of Rollgate's at receipt (the webhook's own tolerance):
 * a summary from the future would otherwise lock out every later inspection of its database. */
export const INSPECTION_CLOCK_AHEAD_MS = 5 * 60_000;

/** Null when the inspection may be stored; otherwise why not. `receivedAt` is the server's clock at receipt. */
export function admitInspection(
  server: Inspection["server"],
  held: HeldInspections,
  receivedAt: Date,
): Rejection | null {
  if (!server.now || !server.system_identifier) return null;
  const takenAt = Date.parse(server.now);
  if (takenAt - receivedAt.getTime() > INSPECTION_CLOCK_AHEAD_MS)
    return {
      code: "inspection_clock_ahead",
      message: `data.server.now (${new Date(takenAt).toISOString()}) is more than ${INSPECTION_CLOCK_AHEAD_MS / 60_000} minutes ahead of Rollgate's clock at receipt (${utcText(receivedAt)}): fix the database server's clock, then run rollgate inspect again.`,
    };
  if (held.sameTakenAt)
    return {
      code: "inspection_repeated",
      message: `Rollgate already holds this inspection of database cluster ${server.system_identifier} (taken at ${new Date(takenAt).toISOString()} by the database's clock): a re-sent summary says nothing new; run rollgate inspect again.`,
    };
  if (held.newestTakenAt && held.newestTakenAt.getTime() > takenAt)
    return {
      code: "inspection_older",
      message: `This inspection of database cluster ${server.system_identifier} was taken at ${new Date(takenAt).toISOString()} by the database's clock, before the newest one Rollgate holds of it (${held.newestTakenAt.toISOString()}); an older summary cannot stand for a recent one: run rollgate inspect again.`,
    };
  return null;
}
