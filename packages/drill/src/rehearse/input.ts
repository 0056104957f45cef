import type { RehearsalStatement } from "@rollgate/core/rehearsal";

/** What to rehearse: the schema before the release, the two scripts, the old version's statements. */
export interface RehearsalInput {
  /** Migrations in the order given (the CLI sorts by name), or a `pg_dump --schema-only` file. */
  before: { migrations: Array<{ name: string; sql: string }> } | { dump: string };
  expand: string;
  contract: string;
  statements: RehearsalStatement[];
}

export interface RehearsalOptions {
  /** Stops the rehearsal between statements; it then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Input a rehearsal cannot start from: a migration that does not parse, an expand or a contract
 * that does not apply. The message names the file (and line) and quotes PostgreSQL. Exit 2 for the CLI. */
export class RehearsalInputError extends Error {
  override readonly name = "RehearsalInputError";
}
