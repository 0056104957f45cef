import { z } from "zod";

// A rehearsal (`rollgate rehearse`) on the wire: the `data` of a `rollback.rehearsed` event, which
// the CLI sends when it has a token, and the statements Rollgate observed a version running, which
// the CLI asks for with `--version V` (`GET …/versions/{version}/statements`). Objects are strict
// and bounded: a rehearsal's proofs are shown on the "Can I roll back?" page and in the API.

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const checksum = z.string().regex(/^[a-f0-9]{64}$/, "the SHA-256 of the script, 64 lower-case hex characters");
/** A normalised statement as pg_stat_statements prints it (constants replaced by `$n`). */
const statementText = z.string().min(1).max(2000);

/** How one statement fared: prepared (and, for a write, executed in a rolled-back savepoint) after expand, then after the contract. */
export const REHEARSAL_OUTCOMES = [
  /** Worked after expand and after the contract. */
  "passed",
  /** Worked after expand and fails after the contract: proof the version cannot run on the contracted schema. */
  "proof",
  /** Already fails after expand: not the contract's doing, so it proves nothing. */
  "noise",
  /** Needs what the embedded engine lacks (an extension PGlite does not ship): neither passed nor proof. */
  "unverifiable",
] as const;
export type RehearsalOutcome = (typeof REHEARSAL_OUTCOMES)[number];

/** A statement that works after expand and fails after the contract, with PostgreSQL's own error. */
export const rehearsalProofSchema = z.strictObject({
  statement: statementText,
  /** PostgreSQL's message after the contract (`column "email" does not exist`). */
  error: z.string().min(1).max(1000),
  /** Its SQLSTATE (`42703`). */
  sqlstate: z
    .string()
    .regex(/^[0-9A-Z]{5}$/, "a SQLSTATE, five digits or upper-case letters")
    .optional(),
  /** Where it failed: preparing it, or executing it (a write, in a rolled-back savepoint). */
  step: z.enum(["prepare", "execute"]),
  /** pg_stat_statements' call count, when the statement came from observation. */
  calls: count.optional(),
});
export type RehearsalProof = z.infer<typeof rehearsalProofSchema>;

/** The `data` of `rollback.rehearsed`: the rehearsal of one app version's statements against the rollout's contract. */
export const rollbackRehearsedSchema = z.strictObject({
  /** The app version whose statements were rehearsed (the version one would roll back to). */
  version: z.string().min(1).max(100),
  /** The contract script rehearsed against (its SHA-256): a rehearsal of another script proves nothing about this one. */
  contract_checksum: checksum,
  /** Where the statements came from: observed by Rollgate's inspections, or a file. */
  source: z.enum(["observed", "file"]),
  statements: count,
  passed: count,
  noise: count,
  unverifiable: count,
  /** Every proof, at most 100 (the count says how many there were). */
  proofs: z.array(rehearsalProofSchema).max(100),
  proof_count: count,
});
export type RollbackRehearsed = z.infer<typeof rollbackRehearsedSchema>;

/** One statement Rollgate observed a version running, learned like observed manifests (between two inspections while only that version was deployed). */
export const observedStatementSchema = z.strictObject({
  /** pg_stat_statements' queryid, as text. */
  id: z.string().min(1).max(40),
  text: statementText,
  /** Calls while this version alone was deployed. */
  calls: count,
  /** The database role that ran it (pg_stat_statements' userid), when the inspection read it. */
  role: z.string().min(1).max(63).optional(),
});

/** `GET /api/v1/services/{service}/environments/{environment}/versions/{version}/statements`. */
export const observedStatementsResponseSchema = z.strictObject({
  service: z.string(),
  environment: z.string(),
  version: z.string(),
  /** The span the inspections that saw it cover. */
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  /** False when an inspection had to leave statements out (more than it may send). */
  complete: z.boolean(),
  statements: z.array(observedStatementSchema),
});
export type ObservedStatementsResponse = z.infer<typeof observedStatementsResponseSchema>;
