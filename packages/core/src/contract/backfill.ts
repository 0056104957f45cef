import { z } from "zod";

// A backfill (`rollgate backfill`) on the wire: the `data` of its five rollout events
// (`backfill.started|progress|paused|finished|failed`, registered in `events.ts`) and the
// answer of `GET …/backfills/{backfill_id}` (what the dashboard asked of it, polled by the CLI
// before every batch). Objects are strict and every value is bounded by the column it lands in
// (`backfills` in `@rollgate/db`): counts are PostgreSQL `bigint` read as numbers, so they stop
// at 2^53 - 1.

/** A count of rows or milliseconds: a `bigint` column that is still a safe JavaScript number. */
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** A measured quantity (`double precision`): finite, never negative. */
const measure = z.number().min(0).max(1e15);
/** A sentence for people (a throttle or pause reason). */
const sentence = z.string().min(1).max(1000);

const backfillId = z.uuid();

/** What a backfill is, as its projection shows it. Finished, failed and cancelled are final. */
export const BACKFILL_STATES = ["running", "paused", "finished", "failed", "cancelled"] as const;
export type BackfillState = (typeof BACKFILL_STATES)[number];

/** The steps of a backfill's events (`backfill.<step>`), as its projection applies them. */
export const BACKFILL_STEPS = ["started", "progress", "paused", "finished", "failed"] as const;
export type BackfillStep = (typeof BACKFILL_STEPS)[number];

/**
 * The states each step may move a backfill's projection out of (`recordBackfill` in
 * `@rollgate/db` applies it in its one statement): finished and cancelled are final, and a failed
 * backfill moves only on a new start (a run resumed from its checkpoint). A step received in any
 * other state changes nothing, so a late progress never resurrects a finished backfill.
 */
export const BACKFILL_MOVES_FROM: Readonly<Record<BackfillStep, readonly BackfillState[]>> = {
  started: ["running", "paused", "failed"],
  progress: ["running", "paused"],
  paused: ["running", "paused"],
  finished: ["running", "paused"],
  failed: ["running", "paused"],
};

/** Whether `step` moves a backfill that is `state` now (a backfill's first event always makes its row). */
export function backfillStepMoves(step: BackfillStep, state: BackfillState): boolean {
  return BACKFILL_MOVES_FROM[step].includes(state);
}

/** What the dashboard asks of a running backfill: go on, wait, or stop for good. */
export const BACKFILL_CONTROLS = ["run", "pause", "cancel"] as const;
export type BackfillControl = (typeof BACKFILL_CONTROLS)[number];

/** Why a backfill waits: a replica's replay lag, the rollout's no-go, its SLO, or someone pressed Pause. */
export const BACKFILL_PAUSE_CAUSES = ["replica_lag", "no_go", "slo", "operator"] as const;

export const backfillStartedSchema = z.strictObject({
  backfill_id: backfillId,
  /** The table as given: `schema.table` or `table`. */
  table: z.string().min(1).max(200),
  /** The SET list as given (`billing_email = email`). */
  set: z.string().min(1).max(10_000),
  /** The predicate of the rows still to do (`billing_email IS NULL`), as given. */
  where: z.string().min(1).max(10_000).optional(),
  /** The keyset's columns (the primary key by default). */
  key: z.array(z.string().min(1).max(63)).min(1).max(8),
  batch_size: z.number().int().min(1).max(2_147_483_647),
  estimate_rows: count,
  /** Non-zero when the run resumed from a checkpoint. */
  rows_done: count,
  /** The backfill's own data check: the rows that still match its `where`. */
  check: z.strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "lower-case letters, digits, '.', '_' or '-', at most 100 characters"),
    sql: z.string().min(1).max(20_000),
  }),
});

export const backfillProgressSchema = z.strictObject({
  backfill_id: backfillId,
  rows_done: count,
  rows_written: count,
  estimate_rows: count,
  rate_per_s: measure,
  /** Null while no rate is known. */
  eta_s: measure.nullable(),
  batch_size: z.number().int().min(1).max(2_147_483_647),
  /** Null: no streaming replica (no lag throttle). */
  replica_lag_ms: measure.nullable(),
  /** The current throttle reason, a sentence; null when nothing holds it back. */
  throttle: sentence.nullable(),
});

export const backfillPausedSchema = z.strictObject({
  backfill_id: backfillId,
  rows_done: count,
  cause: z.enum(BACKFILL_PAUSE_CAUSES),
  reason: sentence,
  replica_lag_ms: measure.nullable().optional(),
});

export const backfillFinishedSchema = z.strictObject({
  backfill_id: backfillId,
  rows_done: count,
  rows_written: count,
  duration_ms: count,
});

export const backfillFailedSchema = z.strictObject({
  backfill_id: backfillId,
  rows_done: count,
  error: z.string().min(1).max(10_000),
  /** True when it stopped because the dashboard cancelled it. */
  cancelled: z.boolean(),
});

/** `GET /api/v1/rollouts/{service}/{environment}/{release}/backfills/{backfill_id}`: what the dashboard asked of this backfill. */
export const backfillControlResponseSchema = z.object({
  backfill_id: z.uuid(),
  control: z.enum(BACKFILL_CONTROLS),
  /** Who pressed the last Pause, Resume or Cancel; null while nobody has. */
  requested_by: z.string().nullable(),
  requested_at: z.iso.datetime({ offset: true }).nullable(),
  /** The backfill's state as its events left it. */
  state: z.enum(BACKFILL_STATES),
});
export type BackfillControlResponse = z.infer<typeof backfillControlResponseSchema>;

/** The path of the control read: the rollout's key and the backfill's id. */
export const backfillKeySchema = z.object({
  service: z.string(),
  environment: z.string(),
  release: z.string(),
  backfill_id: z.string(),
});

const isoTime = z.iso.datetime({ offset: true });

/** One backfill as the rollout page's panel shows it, with what the reader may press now. */
export const dashboardBackfillSchema = z.object({
  backfill_id: z.uuid(),
  table: z.string().nullable(),
  set: z.string().nullable(),
  where: z.string().nullable(),
  key: z.array(z.string()).nullable(),
  check_name: z.string().nullable(),
  state: z.enum(BACKFILL_STATES),
  rows_done: z.number(),
  rows_written: z.number(),
  estimate_rows: z.number().nullable(),
  batch_size: z.number().nullable(),
  rate_per_s: z.number().nullable(),
  eta_s: z.number().nullable(),
  replica_lag_ms: z.number().nullable(),
  throttle: z.string().nullable(),
  pause_cause: z.enum(BACKFILL_PAUSE_CAUSES).nullable(),
  error: z.string().nullable(),
  started_at: isoTime,
  updated_at: isoTime,
  finished_at: isoTime.nullable(),
  control: z.enum(BACKFILL_CONTROLS),
  requested_by: z.string().nullable(),
  requested_at: isoTime.nullable(),
  /** The buttons the reader may press now (the server decides again when pressed). */
  actions: z.array(z.enum(["pause", "resume", "cancel"])),
});
export type DashboardBackfill = z.infer<typeof dashboardBackfillSchema>;

/** The backfill panel's live data: the rollout's backfills, newest first, and the server's clock. */
export const dashboardBackfillsSchema = z.object({ now: isoTime, backfills: z.array(dashboardBackfillSchema) });
export type DashboardBackfills = z.infer<typeof dashboardBackfillsSchema>;
