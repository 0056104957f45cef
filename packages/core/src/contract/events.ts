import { z } from "zod";

// The wire shape of a CI webhook (`POST /api/v1/events`): snake_case JSON, validated at the
// edge, documented as OpenAPI from these same schemas, and used by the CLI to build bodies.

const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "lower-case letters, digits, '.', '_' or '-', at most 63 characters");
const checksum = z.string().regex(/^[a-f0-9]{64}$/, "the SHA-256 of the script, 64 lower-case hex characters");
const version = z.string().min(1).max(100);
const sqlText = z.string().max(200_000);
const manifestEntry = z
  .string()
  .regex(/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*){0,2}$/, "table, table.column or schema.table.column");

const releaseCreated = z.object({
  title: z.string().min(1).max(200),
  author: z.string().min(1).max(200),
  app_version: version,
  expand_sql: sqlText.optional(),
  contract_sql: sqlText.optional(),
});

const migration = z.object({
  phase: z.enum(["expand", "contract"]),
  name: z.string().min(1).max(200),
  checksum,
  sql: sqlText.optional(),
  duration_ms: z.number().int().nonnegative().optional(),
  exit_code: z.number().int().optional(),
  log_tail: z.string().max(20_000).optional(),
  log_url: z.url().optional(),
  lease_id: z.uuid().optional(),
});

const deploy = z.object({
  version,
  manifest: z.array(manifestEntry).max(5000).optional(),
});

const flagChanged = z.object({
  flag: z.string().min(1).max(200),
  percent: z.number().min(0).max(100),
});

const sloSnapshot = z.object({
  availability: z.number().min(0).max(100),
  error_budget_remaining: z.number().min(-10).max(1),
  burn_rate: z.number().min(0),
  latency_p99_ms: z.number().nonnegative().optional(),
});

const backupVerified = z.object({
  backup_id: z.string().min(1).max(200),
  restore_tested: z.boolean(),
});

const envelope = {
  service: slug,
  environment: slug,
  release: z.string().min(1).max(100),
  occurred_at: z.iso.datetime({ offset: true }),
};

export const eventBodySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("release.created"), ...envelope, data: releaseCreated }),
  z.object({ type: z.literal("migration.started"), ...envelope, data: migration }),
  z.object({ type: z.literal("migration.succeeded"), ...envelope, data: migration }),
  z.object({ type: z.literal("migration.failed"), ...envelope, data: migration }),
  z.object({ type: z.literal("app.deployed"), ...envelope, data: deploy }),
  z.object({ type: z.literal("app.rolled_back"), ...envelope, data: deploy }),
  z.object({ type: z.literal("flag.changed"), ...envelope, data: flagChanged }),
  z.object({ type: z.literal("slo.snapshot"), ...envelope, data: sloSnapshot }),
  z.object({ type: z.literal("backup.verified"), ...envelope, data: backupVerified }),
]);

export type EventBody = z.infer<typeof eventBodySchema>;
