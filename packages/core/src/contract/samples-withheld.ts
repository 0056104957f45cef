// No imports: the rollout page's client components read these sentences.

/**
 * Why a check that found rows reports no sample keys. Samples are reported only when the check's
 * first output column is, by PostgreSQL's row description, a column of its table's PRIMARY KEY:
 * the check's SQL comes from whoever may send events, so any other column could be a secret.
 * - `not_a_table_column`: the first column is computed (an expression, a subquery, a UNION), or absent;
 * - `not_a_key_column`: it is a table's or a view's column that is not part of that table's primary key;
 * - `origin_unknown`: the connection does not report where columns come from (PGlite).
 */
export const SAMPLES_WITHHELD = ["not_a_table_column", "not_a_key_column", "origin_unknown"] as const;
export type SamplesWithheld = (typeof SAMPLES_WITHHELD)[number];

/** The sentence a person reads for a withheld reason. */
export const SAMPLES_WITHHELD_TEXT: Record<SamplesWithheld, string> = {
  not_a_table_column: "sample keys withheld: the first column is computed, not a table's primary key column",
  not_a_key_column: "sample keys withheld: the first column is not part of its table's primary key",
  origin_unknown: "sample keys withheld: the connection does not say which table the first column comes from",
};
