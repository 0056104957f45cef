import type { RehearsalOutcome } from "../contract/rehearsal.ts";

// What a rehearsal (`rollgate rehearse`, `@rollgate/drill/rehearse`) works on and reports. The
// engine runs on embedded PGlite; the decisions on its results (outcome, exit code, output)
// are pure and live beside this file.

/** A statement to rehearse: a normalised text (`$1`… parameters) and, when observed, its call count. */
export interface RehearsalStatement {
  text: string;
  calls?: number;
  /** The database role that ran it, when observed. */
  role?: string;
  /** Values the application binds for `$1`…, as text, when known (a test, a captured log);
   * pg_stat_statements does not keep them, and without them the engine binds values shaped like the types. */
  params?: Array<string | null>;
}

/** PostgreSQL's answer to one step: nothing (it worked) or its error. */
export interface StepError {
  message: string;
  sqlstate?: string;
}

/** One statement's rehearsal: what happened after expand and after the contract. */
export interface StatementRehearsal {
  statement: RehearsalStatement;
  /** A write (INSERT, UPDATE, DELETE, MERGE) is executed in a rolled-back savepoint, not only prepared. */
  write: boolean;
  outcome: RehearsalOutcome;
  /** After expand: null when it worked. */
  afterExpand: (StepError & { step: "prepare" | "execute" }) | null;
  /** After the contract: null when it worked or was not tried (noise, unverifiable). */
  afterContract: (StepError & { step: "prepare" | "execute" }) | null;
  /** Why it is unverifiable (the extension PGlite lacks). */
  unverifiable?: string;
}

export interface RehearsalReport {
  /** Extensions the schema asks for that PGlite does not ship. */
  missingExtensions: string[];
  statements: StatementRehearsal[];
  durationMs: number;
}
