// One row of docs/SECURITY.md's table of forged, replayed and stale evidence: who tries what,
// and what Rollgate answers. Each area keeps its rows in its own file beside this one
// (`evidence/<area>.ts`), and its test (`evidence/<area>.test.ts`) walks every row through the
// core rule that decides it: the walkers are a `Record` over the row ids, so a row without one
// does not compile.
export interface EvidenceRow {
  /** Who could send it: "a CI token for staging", "anyone who can push a branch", "the database owner". */
  readonly who: string;
  /** What they send or do. */
  readonly attempt: string;
  /** What Rollgate answers (status, refusal, or what a check says). */
  readonly answer: string;
}

export type EvidenceRows = Readonly<Record<string, EvidenceRow>>;

/** The rows of one area as Markdown table lines. */
export function evidenceLines(area: string, rows: EvidenceRows): string[] {
  return Object.values(rows).map((row) => `| ${area} | ${row.who} | ${row.attempt} | ${row.answer} |`);
}
