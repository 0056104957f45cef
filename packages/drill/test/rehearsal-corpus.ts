// The rehearsal corpus (issue 29): statements in the shapes real ORMs emit, each paired with a
// contract that breaks it and one that does not. `schema` is the schema after expand (the
// statement works there); `breaks` and `harmless` are contract scripts run on top of it.
// A case's truth is what a real PostgreSQL says (checked by the corpus's own test), and the
// rehearsal engine must agree with it both ways.

export interface RehearsalCase {
  /** Unique, kebab-case. */
  name: string;
  orm: "drizzle" | "prisma" | "activerecord" | "django" | "hibernate" | "sqlalchemy" | "plain";
  /** What the breaking contract does that a name match misses, when it does (`not-null-added`, `check-added`, `type-narrowed`, `enum-value-removed`, `function-signature-changed`, `view-column-dropped`, …). */
  missedByNameMatch?: string;
  schema: string;
  /** Normalised as pg_stat_statements prints it: `$1`… for constants. */
  statement: string;
  /** Values the application would bind for `$1`…, as text (the truth test executes writes with them on a real PostgreSQL). */
  params?: Array<string | null>;
  breaks: string;
  harmless: string;
}

export const REHEARSAL_CORPUS: RehearsalCase[] = [];
