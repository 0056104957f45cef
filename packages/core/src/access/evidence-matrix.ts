// Forged, replayed or stale evidence: what someone holding a CI token, a GitHub push right, a
// receiver's URL or the database owner's password might send, and what Rollgate answers. One
// table, read two ways: docs/SECURITY.md prints it (a test keeps the two equal), and each area's
// test under `evidence/` walks its rows through the rules in core.
import { AUDIT_ROWS } from "./evidence/audit.ts";
import { DATA_ROWS } from "./evidence/data.ts";
import { EVENTS_ROWS } from "./evidence/events.ts";
import { GITHUB_ROWS } from "./evidence/github.ts";
import { INSPECTIONS_ROWS } from "./evidence/inspections.ts";
import { RECEIVERS_ROWS } from "./evidence/receivers.ts";
import { REHEARSAL_ROWS } from "./evidence/rehearsals.ts";
import { evidenceLines, type EvidenceRows } from "./evidence/rows.ts";

/** Every area of the table, in the order docs/SECURITY.md prints them. */
export const EVIDENCE_AREAS: ReadonlyArray<readonly [area: string, rows: EvidenceRows]> = [
  ["Events and leases", EVENTS_ROWS],
  ["GitHub", GITHUB_ROWS],
  ["Alert receivers", RECEIVERS_ROWS],
  ["Inspections", INSPECTIONS_ROWS],
  ["Data checks and backfills", DATA_ROWS],
  ["Rehearsals", REHEARSAL_ROWS],
  ["Audit chain", AUDIT_ROWS],
];

/** The table as docs/SECURITY.md prints it. */
export function evidenceMarkdown(): string {
  const head = "| area | who | attempt | answer |\n| --- | --- | --- | --- |";
  return [head, ...EVIDENCE_AREAS.flatMap(([area, rows]) => evidenceLines(area, rows))].join("\n");
}
