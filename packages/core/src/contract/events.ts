import { z } from "zod";
import { inspectionSchema } from "./inspection.ts";

// The wire shape of a CI webhook (`POST /api/v1/events`): snake_case JSON, validated at the
// edge, documented as OpenAPI from these same schemas, and used by the CLI to build bodies.
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

export const eventBodySchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("release.created"), ...envelope, data: releaseCreated }),
  z.strictObject({ type: z.literal("migration.started"), ...envelope, data: migration }),
  z.strictObject({ type: z.literal("migration.succeeded"), ...envelope, data: migration }),
  z.strictObject({ type: z.literal("migration.failed"), ...envelope, data: migration }),
  z.strictObject({ type: z.literal("app.deployed"), ...envelope, data: deploy }),
  z.strictObject({ type: z.literal("app.rolled_back"), ...envelope, data: deploy }),
  z.strictObject({ type: z.literal("flag.changed"), ...envelope, data: flagChanged }),
  z.strictObject({ type: z.literal("slo.snapshot"), ...envelope, data: sloSnapshot }),
  z.strictObject({ type: z.literal("backup.verified"), ...envelope, data: backupVerified }),
  // Incidents belong to the environment; `release` is accepted (a pipeline sends it on every event) and ignored.
  z.strictObject({
    type: z.literal("incident.opened"),
    ...envelope,
    release: envelope.release.optional(),
    data: incidentOpened,
  }),
  z.strictObject({
    type: z.literal("incident.resolved"),
    ...envelope,
    release: envelope.release.optional(),
    data: incidentResolved,
  }),
  z.strictObject({ type: z.literal("database.inspected"), ...envelope, data: inspectionSchema }),
]);

export type IncidentEventBody = Extract<
  z.infer<typeof eventBodySchema>,
  { type: "incident.opened" | "incident.resolved" }
>;

export type EventBody = z.infer<typeof eventBodySchema>;

/** Every event type of the wire contract. */
export type EventType = EventBody["type"];

/** The `data` of one event type. */
export type EventData<K extends EventType> = Extract<EventBody, { type: K }>["data"];

/**
 * The registry of event types, in the schema's order: each has its schema here, its mapping in
 * `lifecycle/map-event.ts` (EVENT_MAPPINGS, keyed by type), its sample in `samples.ts` (keyed by
 * type) and, if it is stored apart from the timeline, its table in `@rollgate/db` (by the fact
 * kind its mapping names). A missing mapping or sample is a type error; `event-registry.test.ts`
 * also checks the OpenAPI document.
 */
export const EVENT_TYPES: readonly EventType[] = eventBodySchema.options.map((o) => o.shape.type.value);
