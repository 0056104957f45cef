import { z } from "zod";
import { dataCheckListSchema, dataCheckResultSchema, MAX_DATA_CHECKS } from "./data-checks.ts";

// The `data` of a `database.inspected` event (format 1): what `rollgate inspect` read from
// the application's database, compact enough for the 256 KiB body limit with 10,000
// statements and 5,000 tables. Statement texts are pg_stat_statements' normalised texts
// (constants replaced by $n): in `statements` only those that name an object the contract
// removes; in `workload` every application statement, most-called first, as far as the body
// limit allows (`workload_complete`).

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const objectName = z.string().min(1).max(400);
const time = z.iso.datetime({ offset: true });
const checksum = z.string().regex(/^[a-f0-9]{64}$/, "the SHA-256 of the script, 64 lower-case hex characters");

export const INSPECTION_FORMAT = 1;

const statistics = z.strictObject({
  /** pg_stat_statements is loaded and installed in this database. */
  available: z.boolean(),
  /** Why not, and how to enable it. */
  reason: z.string().max(1000).optional(),
  track: z.enum(["none", "top", "all"]).optional(),
  /** `pg_stat_statements_info.stats_reset`: a later reset zeroes every counter. */
  stats_reset: time.nullable().optional(),
  /** `pg_stat_statements_info.dealloc`: entries evicted to make room (counts of those are lost). */
  dealloc: count.optional(),
  /** Distinct statements read (this database). */
  statements: count,
  /** Statements whose references could not all be resolved. */
  unresolved: count,
  /** Statements whose text the inspecting role may not read (`<insufficient privilege>`: grant it pg_read_all_stats). */
  hidden: count.optional(),
});

/** One statement that names an object the contract removes (or may: `unknown` says why not sure). */
export const inspectedStatementSchema = z.strictObject({
  /** pg_stat_statements' queryid, as text. */
  id: z.string().min(1).max(40),
  calls: count,
  text: z.string().max(2000),
  /** The removed objects it names, as `schema.table[.column]`. */
  objects: z.array(objectName).max(50),
  /** Why the statement could not be fully resolved. */
  unknown: z.string().max(500).optional(),
});

/** One statement of the database's workload: what `rollgate rehearse --version V` replays. */
export const workloadStatementSchema = z.strictObject({
  /** pg_stat_statements' queryid, as text. */
  id: z.string().min(1).max(40),
  /** The normalised text (constants replaced by `$n`), cut at 2,000 characters. */
  text: z.string().min(1).max(2000),
  /** Cumulative calls (pg_stat_statements' counter, summed over top-level and nested). */
  calls: count,
  /** The role that ran it (`userid` joined to `pg_roles`); absent when the role was dropped. */
  role: z.string().min(1).max(63).optional(),
});

/** At most this many workload statements in one summary (the body limit usually cuts first). */
export const MAX_WORKLOAD_STATEMENTS = 10_000;

const expandObject = z.strictObject({
  kind: z.enum(["table", "column", "index", "view", "type", "function", "sequence", "constraint"]),
  name: objectName,
  /** The type the expand script declares (columns), normalised by PostgreSQL's `format_type`. */
  expected: z.string().max(200).optional(),
  state: z.enum(["present", "missing", "different"]),
  /** What the live catalog has instead. */
  actual: z.string().max(200).optional(),
});

const table = z.strictObject({
  name: objectName,
  /** pg_total_relation_size. */
  bytes: count,
  /** pg_class.reltuples (an estimate; -1 before the first ANALYZE is sent as null). */
  rows: count.nullable(),
});

/** A session on a table the contract touches, long-running or idle in a transaction, or waiting. */
const session = z.strictObject({
  pid: z.number().int(),
  state: z.string().max(40),
  table: objectName,
  mode: z.string().max(40),
  granted: z.boolean(),
  /** Seconds since its transaction started. */
  xact_seconds: z.number().nonnegative().nullable(),
  application: z.string().max(100).optional(),
});

export const inspectionSchema = z.strictObject({
  format: z.literal(INSPECTION_FORMAT),
  /** The pipeline marks the inspection it takes when the rollback window starts. */
  window_start: z.boolean().optional(),
  server: z.strictObject({
    version: z.string().max(100),
    /** pg_postmaster_start_time(): a restart resets every counter. */
    started_at: time,
    database: z.string().max(100),
    /** now() on the database: its own clock when the inspection read it. Rollgate refuses an
     * inspection of a database that is not newer than the newest one it holds of it. Optional
     * for older CLIs, whose summaries make the usage check unknown, never pass. */
    now: time.optional(),
    /** `pg_control_system().system_identifier`: which cluster this is (a new cluster or a restore
     * from a logical dump has another; a streaming standby shares its primary's). */
    system_identifier: z
      .string()
      .regex(/^[0-9]{1,20}$/, "pg_control_system().system_identifier, as text")
      .optional(),
  }),
  statistics,
  /** The scripts the inspection looked for (their SHA-256). */
  contract_checksum: checksum.optional(),
  expand_checksum: checksum.optional(),
  statements: z.array(inspectedStatementSchema).max(500),
  /** Cumulative calls per object for every statement read: `{ "schema.table": "=r/w,col=r/w,…" }`. */
  usage: z.record(objectName, z.string().max(20_000)),
  /** False when the usage map was cut to fit the body limit. */
  usage_complete: z.boolean(),
  /** The statements of this database, most-called first, one per queryid and role. Optional:
   * older CLIs do not send it, and their inspections attribute no statements to a version. */
  workload: z.array(workloadStatementSchema).max(MAX_WORKLOAD_STATEMENTS).optional(),
  /** False when statements were left out (the body limit, or texts the role may not read). */
  workload_complete: z.boolean().optional(),
  expand: z.array(expandObject).max(500),
  tables: z.array(table).max(500),
  sessions: z.array(session).max(500),
  duration_ms: count,
  /** What each data check found (the rollout's declared checks and those of --checks). */
  data_checks: z
    .array(dataCheckResultSchema)
    .max(2 * MAX_DATA_CHECKS)
    .optional(),
  /** Checks `rollgate inspect --checks FILE` declares for the rollout (their SQL; not stored with the summary). */
  declared_checks: dataCheckListSchema.optional(),
});

export type Inspection = z.infer<typeof inspectionSchema>;
export type InspectedStatement = z.infer<typeof inspectedStatementSchema>;
export type WorkloadStatement = z.infer<typeof workloadStatementSchema>;
export type ExpandObjectState = z.infer<typeof expandObject>;
export type InspectedTable = z.infer<typeof table>;
export type InspectedSession = z.infer<typeof session>;
