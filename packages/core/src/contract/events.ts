import { z } from "zod";
import type { ContractLease, HeldInspections } from "../lifecycle/event-facts.ts";
import { dataCheckListSchema } from "./data-checks.ts";
import {
  backfillFailedSchema,
  backfillFinishedSchema,
  backfillPausedSchema,
  backfillProgressSchema,
  backfillStartedSchema,
} from "./backfill.ts";
import { inspectionSchema, type Inspection } from "./inspection.ts";
import { rollbackRehearsedSchema } from "./rehearsal.ts";

// The event types, one record each (EVENTS, at the end): the wire shape of its `data` (snake_case
// JSON, validated at the edge of `POST /api/v1/events`, documented as OpenAPI from these same
// schemas, and used by the CLI to build bodies) and its mapping to what the lifecycle and the
// database need: the domain event's fields, the row it adds (its fact, written by db's
// `recordEvent` by its kind) and what the timeline keeps. The wire union, `DomainEvent`
// (`lifecycle/events.ts`), `mapEvent`, the facts and the OpenAPI entries are derived from it.
// Objects are strict: an unknown field (a typo such as `leaseId`) is refused, not ignored,
// and the OpenAPI document says `additionalProperties: false` because it is true. Bounds
// follow the columns the values land in, so nothing valid here fails in PostgreSQL.

/** PostgreSQL's `integer`. */
const int4 = z.number().int().min(-2_147_483_648).max(2_147_483_647);

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "lower-case letters, digits, '.', '_' or '-', at most 63 characters");
const checksum = z.string().regex(/^[a-f0-9]{64}$/, "the SHA-256 of the script, 64 lower-case hex characters");
const version = z.string().min(1).max(100);
const sqlText = z.string().max(200_000);
const manifestEntry = z
  .string()
  .regex(/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*){0,2}$/, "table, table.column or schema.table.column");

const releaseCreated = z.strictObject({
  title: z.string().min(1).max(200),
  author: z.string().min(1).max(200),
  app_version: version,
  /** The commit the pipeline built: a GitHub deployment of exactly this sha is tied to the release. */
  commit_sha: z
    .string()
    .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, "the full commit sha, 40 (or 64) lower-case hex characters")
    .optional(),
  expand_sql: sqlText.optional(),
  contract_sql: sqlText.optional(),
  /** Named read-only SELECTs that must return no rows before the contract (the gate's "Data is carried
   * over"). Sent, they replace the release's checks on this rollout; left out, the stored ones stay. */
  data_checks: dataCheckListSchema.optional(),
});

const migration = z.strictObject({
  phase: z.enum(["expand", "contract"]),
  name: z.string().min(1).max(200),
  checksum,
  sql: sqlText.optional(),
  duration_ms: int4.nonnegative().optional(),
  exit_code: int4.optional(),
  log_tail: z.string().max(20_000).optional(),
  log_url: z.url().optional(),
  lease_id: z.uuid().optional(),
  /** `rollgate run --database-url`: each statement's duration and lock-timeout retries. */
  statements: z
    .array(
      z.strictObject({
        index: int4.nonnegative(),
        line: int4.nonnegative(),
        duration_ms: int4.nonnegative(),
        retries: int4.nonnegative(),
        concurrently: z.boolean().optional(),
      }),
    )
    .max(2000)
    .optional(),
});

const deploy = z.strictObject({
  version,
  manifest: z.array(manifestEntry).max(5000).optional(),
});

const flagChanged = z.strictObject({
  flag: z.string().min(1).max(200),
  // Stored as a whole percentage.
  percent: z.number().int().min(0).max(100),
});

const sloSnapshot = z.strictObject({
  availability: z.number().min(0).max(100),
  error_budget_remaining: z.number().min(-10).max(1),
  burn_rate: z.number().min(0),
  latency_p99_ms: z.number().nonnegative().optional(),
});

const backupVerified = z.strictObject({
  backup_id: z.string().min(1).max(200),
  restore_tested: z.boolean(),
});

/** A no-go from any incident tool: open while `key` is open, for the environment (not a release). */
const incidentOpened = z.strictObject({
  key: z.string().min(1).max(200),
  title: z.string().min(1).max(300),
  url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
  severity: z.string().min(1).max(40).optional(),
});
const incidentResolved = z.strictObject({ key: z.string().min(1).max(200) });

const envelope = {
  service: slug,
  environment: slug,
  release: z.string().min(1).max(100),
  occurred_at: z.iso
    .datetime({ offset: true })
    // The format alone admits year 0 and, with an offset, year 10000: neither is a timestamptz.
    .refine((s) => {
      const ms = Date.parse(s);
      return ms >= Date.UTC(1970, 0, 1) && ms < Date.UTC(10_000, 0, 1);
    }, "a time between 1970 and 9999"),
};

/** A rehearsal whose counts add up: each statement has one outcome, and the proofs sent are at most the proofs counted. */
const rehearsalCounted = rollbackRehearsedSchema
  .refine((d) => d.proofs.length <= d.proof_count, {
    message: "proof_count must count every proof sent (at most 100 are sent)",
    path: ["proof_count"],
  })
  .refine((d) => d.passed + d.noise + d.unverifiable + d.proof_count === d.statements, {
    message: "statements must equal passed + noise + unverifiable + proof_count",
    path: ["statements"],
  });

type Phase = z.output<typeof migration>["phase"];

/** What one rollout event type is to the lifecycle and the database, from its `data`. */
interface Mapping<E extends object, F extends { kind: string } | null> {
  /** The domain event's own fields (its `type` and `occurredAt`, the receipt time, are added). */
  event: E;
  /** The row it adds besides the event itself, named by what it records; null: only a change of state. */
  fact: F;
  /** What the rollout's timeline keeps (`rollout_events.data`); the event's `data` when absent. */
  timeline?: Record<string, unknown>;
  /** Chained in the audit log even when the rollout's state does not change. */
  alwaysAudited?: boolean;
}

/** A rollout's event type: its `data` and its mapping. */
function rolloutType<D extends z.ZodType, E extends object, F extends { kind: string } | null>(
  data: D,
  map: (data: z.output<D>) => Mapping<E, F>,
) {
  return { scope: "rollout" as const, data, map };
}

/** An environment's event type (an incident: a no-go for the environment, not a release). */
function environmentType<D extends z.ZodType>(data: D) {
  return { scope: "environment" as const, data, map: null };
}

const migrationRun = (d: z.output<typeof migration>) => ({ phase: d.phase, name: d.name, checksum: d.checksum });

function migrationFinished(status: "succeeded" | "failed") {
  return rolloutType(migration, (d) => ({
    event: migrationRun(d),
    fact: {
      kind: "migration_finished" as const,
      status,
      ...migrationRun(d),
      durationMs: d.duration_ms,
      exitCode: d.exit_code,
      logTail: d.log_tail,
      logUrl: d.log_url,
      statements: d.statements,
    },
  }));
}

function deployment(kind: "deployed" | "rolled_back") {
  return rolloutType(deploy, (d) => {
    const manifest: string[] | null = d.manifest ?? null;
    return {
      event: { version: d.version, manifest } as { version: string; manifest?: string[] | null },
      fact: { kind: "deployment" as const, deployment: kind, version: d.version, manifest },
    };
  });
}

// A backfill's events are observations (the rollout's state does not change); each moves the
// backfill's own row (`backfills`, fact kind "backfill"). The timeline shows started, paused,
// finished and failed; progress, sent every few batches, only moves the row (the timeline query
// leaves it out, as it leaves out SLO snapshots).
const backfill = { kind: "backfill" as const };

/**
 * The registry of event types, one entry each, in the wire schema's order. A new type is one
 * entry here and a sample in `test/samples.ts` (a type error without one); if it changes the
 * rollout's state, its transition in `applyEvent` (`lifecycle/apply-event.ts`); if its fact is
 * a new kind, its table and its write in `@rollgate/db` (`recordEvent`, keyed by fact kind).
 * The lifecycle sees the server's clock: every duration that gates anything is measured from
 * when Rollgate received the event.
 */
export const EVENTS = {
  "release.created": rolloutType(releaseCreated, () => ({ event: {}, fact: null, alwaysAudited: true })),
  "migration.started": rolloutType(migration, (d) => ({
    event: migrationRun(d) as {
      phase: Phase;
      name: string;
      checksum: string;
      /** Contract-category findings of the analyser in this script (expand only); null: the server never saw its text, so nothing is known. */
      destructiveFindings?: number | null;
      /** Contract, and a recovery run after a failure: the lease the event names, as the server found it. */
      lease?: ContractLease;
    },
    fact: { kind: "migration_started" as const, ...migrationRun(d), leaseId: d.lease_id ?? null },
  })),
  "migration.succeeded": migrationFinished("succeeded"),
  "migration.failed": migrationFinished("failed"),
  "app.deployed": deployment("deployed"),
  "app.rolled_back": deployment("rolled_back"),
  "flag.changed": rolloutType(flagChanged, (d) => ({
    event: { percent: d.percent },
    fact: { kind: "flag_change" as const, flag: d.flag, percent: d.percent },
  })),
  "slo.snapshot": rolloutType(sloSnapshot, (d) => ({
    event: {},
    fact: {
      kind: "slo_snapshot" as const,
      availability: d.availability,
      errorBudgetRemaining: d.error_budget_remaining,
      burnRate: d.burn_rate,
      latencyP99Ms: d.latency_p99_ms,
    },
  })),
  "backup.verified": rolloutType(backupVerified, (d) => ({
    event: {},
    fact: { kind: "backup" as const, backupId: d.backup_id, restoreTested: d.restore_tested },
  })),
  "incident.opened": environmentType(incidentOpened),
  "incident.resolved": environmentType(incidentResolved),
  "backfill.started": rolloutType(backfillStartedSchema, (d) => ({
    event: {},
    fact: {
      ...backfill,
      step: "started" as const,
      backfillId: d.backfill_id,
      table: d.table,
      set: d.set,
      where: d.where ?? null,
      key: d.key,
      batchSize: d.batch_size,
      estimateRows: d.estimate_rows,
      rowsDone: d.rows_done,
      check: d.check,
    },
  })),
  "backfill.progress": rolloutType(backfillProgressSchema, (d) => ({
    event: {},
    fact: {
      ...backfill,
      step: "progress" as const,
      backfillId: d.backfill_id,
      rowsDone: d.rows_done,
      rowsWritten: d.rows_written,
      estimateRows: d.estimate_rows,
      ratePerS: d.rate_per_s,
      etaS: d.eta_s,
      batchSize: d.batch_size,
      replicaLagMs: d.replica_lag_ms,
      throttle: d.throttle,
    },
  })),
  "backfill.paused": rolloutType(backfillPausedSchema, (d) => ({
    event: {},
    fact: {
      ...backfill,
      step: "paused" as const,
      backfillId: d.backfill_id,
      rowsDone: d.rows_done,
      cause: d.cause,
      reason: d.reason,
      replicaLagMs: d.replica_lag_ms ?? null,
    },
  })),
  "backfill.finished": rolloutType(backfillFinishedSchema, (d) => ({
    event: {},
    fact: {
      ...backfill,
      step: "finished" as const,
      backfillId: d.backfill_id,
      rowsDone: d.rows_done,
      rowsWritten: d.rows_written,
      durationMs: d.duration_ms,
    },
  })),
  "backfill.failed": rolloutType(backfillFailedSchema, (d) => ({
    event: {},
    fact: {
      ...backfill,
      step: "failed" as const,
      backfillId: d.backfill_id,
      rowsDone: d.rows_done,
      error: d.error,
      cancelled: d.cancelled,
    },
  })),
  "database.inspected": rolloutType(inspectionSchema, (d) => ({
    event: { server: d.server } as {
      /** The inspected database's clock and identity, as the summary carries them. */
      server?: Inspection["server"];
      /** What the server holds of the same database (added inside the rollout's transaction). */
      held?: HeldInspections;
    },
    fact: { kind: "inspection" as const, inspection: d },
    // The timeline keeps a digest; the summary itself goes to `inspections`.
    timeline: {
      window_start: d.window_start ?? false,
      statistics: d.statistics,
      statements: d.statements.length,
      expand_drift: d.expand.filter((o) => o.state !== "present").length,
      sessions: d.sessions.length,
      duration_ms: d.duration_ms,
      ...(d.data_checks
        ? {
            data_checks: d.data_checks.length,
            data_checks_failing: d.data_checks.filter((c) => c.rows > 0 || c.error !== undefined).length,
          }
        : {}),
    },
  })),
  // An observation (the rollout's state does not change): the rehearsal of one version's statements
  // against a contract script, kept in `rollback_rehearsals` (fact kind "rehearsal"); eligibility and
  // the gate's "rehearsal" check count it only for the contract checksum it names. The timeline
  // keeps the counts and the first proof's statement, not every proof.
  "rollback.rehearsed": rolloutType(rehearsalCounted, (d) => ({
    event: {},
    fact: {
      kind: "rehearsal" as const,
      version: d.version,
      contractChecksum: d.contract_checksum,
      source: d.source,
      statements: d.statements,
      passed: d.passed,
      noise: d.noise,
      unverifiable: d.unverifiable,
      proofCount: d.proof_count,
      proofs: d.proofs,
    },
    timeline: {
      version: d.version,
      contract_checksum: d.contract_checksum,
      source: d.source,
      statements: d.statements,
      passed: d.passed,
      noise: d.noise,
      unverifiable: d.unverifiable,
      proof_count: d.proof_count,
      ...(d.proofs[0] ? { first_proof: { statement: d.proofs[0].statement, error: d.proofs[0].error } } : {}),
    },
  })),
};

type Events = typeof EVENTS;

/** Every event type of the wire contract. */
export type EventType = keyof Events;

/** The types of a rollout's events (every type but the incident ones, which belong to an environment). */
export type RolloutEventType = { [K in EventType]: Events[K]["scope"] extends "rollout" ? K : never }[EventType];

/** The `data` of one event type. */
export type EventData<K extends EventType> = z.output<Events[K]["data"]>;

/** What the mapping of a rollout's event type `K` returns. */
export type EventMapping<K extends RolloutEventType> = ReturnType<Events[K]["map"]>;

/** `T` with the properties that may be undefined made optional (as a mapping's object literal cannot say). */
export type Optionals<T> = Simplify<
  { [P in keyof T as undefined extends T[P] ? never : P]: T[P] } & {
    [P in keyof T as undefined extends T[P] ? P : never]?: T[P];
  }
>;
type Simplify<T> = { [P in keyof T]: T[P] };

type EnvelopeOf<K extends EventType> = Events[K]["scope"] extends "environment"
  ? Omit<z.output<z.ZodObject<typeof envelope>>, "release"> & { release?: string }
  : z.output<z.ZodObject<typeof envelope>>;

type InputEnvelopeOf<K extends EventType> = Events[K]["scope"] extends "environment"
  ? Omit<z.input<z.ZodObject<typeof envelope>>, "release"> & { release?: string }
  : z.input<z.ZodObject<typeof envelope>>;

/** The body of `POST /api/v1/events`: one strict object per registered type, told apart by `type`. */
export const eventBodySchema = z.discriminatedUnion(
  "type",
  Object.entries(EVENTS).map(([type, def]) =>
    z.strictObject({
      type: z.literal(type),
      ...envelope,
      // Incidents belong to the environment; `release` is accepted (a pipeline sends it on every event) and ignored.
      ...(def.scope === "environment" ? { release: envelope.release.optional() } : {}),
      data: def.data,
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<EventBody, EventBodyInput>;

export type EventBody = { [K in EventType]: { type: K } & EnvelopeOf<K> & { data: EventData<K> } }[EventType];
type EventBodyInput = {
  [K in EventType]: { type: K } & InputEnvelopeOf<K> & { data: z.input<Events[K]["data"]> };
}[EventType];

export type IncidentEventBody = Exclude<EventBody, { type: RolloutEventType }>;

/** Every registered event type, in the registry's order. */
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];
