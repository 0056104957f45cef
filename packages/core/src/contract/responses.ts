import { z } from "zod";
import { GATE_CHECK_IDS } from "../gate/facts.ts";
import { SAMPLES_WITHHELD } from "./data-checks.ts";
import { ROLLOUT_STATES } from "../types.ts";

// What the API answers, as documented in the OpenAPI description and checked in tests.

const isoTime = z.iso.datetime({ offset: true });

/** Every failure a caller can act on; the web app maps each to its HTTP status (`server/errors.ts`). */
export const errorCodeSchema = z.enum([
  "invalid_request", // the body, query or params failed validation; `details` lists fields
  "unauthenticated", // missing, unknown or revoked token; bad or stale signature
  "forbidden", // authenticated, but the scope, service or environment is not granted
  "not_found", // no such service, environment, release or rollout
  "conflict", // the request is valid but the rollout's state refuses it (illegal transition, gate closed)
  "payload_too_large", // the body exceeds the limit
  "unsupported_media_type", // the body is not JSON
  "rate_limited", // too many requests for this token; retry after `Retry-After`
  "unavailable", // the database is unreachable
  "internal", // anything else: logged on the server, never explained to the caller
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorResponseSchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

export const eventAcceptedSchema = z.object({ event_id: z.uuid(), duplicate: z.boolean() });

export const checkDetailsSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("usage"),
    baseline_at: isoTime.nullable(),
    recent_at: isoTime.nullable(),
    statements: z.array(
      z.object({
        id: z.string(),
        text: z.string(),
        calls_before: z.number().int(),
        calls_after: z.number().int(),
        objects: z.array(z.string()),
        unknown: z.string().nullable(),
      }),
    ),
  }),
  z.object({
    kind: z.literal("expand_live"),
    inspected_at: isoTime.nullable(),
    objects: z.array(
      z.object({
        kind: z.string(),
        name: z.string(),
        state: z.enum(["present", "missing", "different"]),
        expected: z.string().nullable(),
        actual: z.string().nullable(),
      }),
    ),
  }),
  z.object({
    kind: z.literal("lock_risk"),
    inspected_at: isoTime.nullable(),
    statements: z.array(
      z.object({
        statement: z.number().int(),
        line: z.number().int(),
        lock: z.string().nullable(),
        table: z.string().nullable(),
        rewrites: z.boolean(),
        bytes: z.number().nullable(),
        rows: z.number().nullable(),
        blockers: z.array(
          z.object({ pid: z.number().int(), state: z.string(), mode: z.string(), xact_seconds: z.number().nullable() }),
        ),
      }),
    ),
  }),
  z.object({
    kind: z.literal("data"),
    /** Each declared data check with its newest run of the same checksum since the window started. */
    checks: z.array(
      z.object({
        name: z.string(),
        checksum: z.string(),
        source: z.enum(["release", "inspect", "backfill"]),
        status: z.enum(["pass", "fail", "pending"]),
        ran_at: isoTime.nullable(),
        rows: z.number().int().nullable(),
        /** The first column of up to five rows the check found, as text. */
        sample_keys: z.array(z.string()),
        /** Why a check that found rows shows no sample keys: its first column is not a primary key column. */
        samples_withheld: z.enum(SAMPLES_WITHHELD).nullable(),
        error: z.string().nullable(),
      }),
    ),
  }),
  z.object({
    kind: z.literal("rehearsal"),
    /** The version a rollback would go back to, rehearsed against this release's contract script. */
    version: z.string(),
    contract_checksum: z.string(),
    received_at: isoTime,
    source: z.enum(["observed", "file"]),
    statements: z.number().int(),
    passed: z.number().int(),
    noise: z.number().int(),
    unverifiable: z.number().int(),
    proof_count: z.number().int(),
    /** The first five proofs: the statement, PostgreSQL's error, and its call count when observed. */
    proofs: z.array(
      z.object({
        statement: z.string(),
        error: z.string(),
        sqlstate: z.string().nullable(),
        step: z.enum(["prepare", "execute"]),
        calls: z.number().int().nullable(),
      }),
    ),
  }),
]);

export const gateResponseSchema = z.object({
  service: z.string(),
  environment: z.string(),
  release: z.string(),
  state: z.enum(ROLLOUT_STATES),
  allowed: z.boolean(),
  window_ends_at: isoTime.nullable(),
  approvals: z.object({ have: z.number().int(), need: z.number().int() }),
  contract_checksum: z.string().nullable(),
  /** How `rollgate run --database-url` takes locks here (the environment's policy). */
  executor: z.object({
    lock_timeout_ms: z.number().int(),
    statement_timeout_ms: z.number().int(),
    lock_retries: z.number().int(),
    blockers: z.enum(["wait", "stop"]),
    blocker_wait_seconds: z.number().int(),
  }),
  checks: z.array(
    z.object({
      id: z.enum(GATE_CHECK_IDS),
      title: z.string(),
      /** `unknown`: the facts to decide are missing (no statement statistics, a counter reset); it never passes. */
      status: z.enum(["pass", "fail", "pending", "unknown"]),
      message: z.string(),
      until: isoTime.nullable(),
      overridden: z.boolean(),
      /** Where to read more: the alert or incident behind a no-go. */
      links: z.array(z.object({ label: z.string(), href: z.string() })).optional(),
      /** False for a check the policy only shows (informational): it does not hold the contract back. */
      blocking: z.boolean(),
      /** The evidence of the database checks (usage, expand_live, lock_risk, data) and of the rehearsal. */
      details: checkDetailsSchema.optional(),
    }),
  ),
});

export type CheckDetailsJson = z.infer<typeof checkDetailsSchema>;
export type GateResponse = z.infer<typeof gateResponseSchema>;
export type GateCheckJson = GateResponse["checks"][number];

/** The dashboard's gate: the API's answer and the server's clock, so countdowns can sync. */
export const dashboardGateSchema = gateResponseSchema.extend({ now: isoTime });
export type DashboardGate = z.infer<typeof dashboardGateSchema>;

/** A lease runs exactly one script (`checksum`) and only for the token that took it. */
export const leaseResponseSchema = z.object({
  lease_id: z.uuid(),
  expires_at: isoTime,
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
  kind: z.enum(["gate", "recovery"]),
});

/** Which way eligibility knows: rehearsed (with counts), observed (and the span), declared, or unknown. */
const eligibilityBasisSchema = z
  .discriminatedUnion("source", [
    z.object({
      source: z.literal("rehearsed"),
      /** Contracts since the deploy that a rehearsal of this version against the script that ran covered, of how many. */
      covered: z.number().int(),
      contracts: z.number().int(),
      statements: z.number().int(),
      proofs: z.number().int(),
      unverifiable: z.number().int(),
      /** What decided the contracts no rehearsal covered; null when rehearsals covered them all. */
      rest: z.enum(["declared", "observed", "unknown"]).nullable(),
    }),
    z.object({ source: z.literal("observed"), from: isoTime, to: isoTime }),
    z.object({ source: z.literal("declared") }),
    z.object({ source: z.literal("unknown") }),
  ])
  .nullable()
  .meta({ description: "Which way Rollgate knows; null when no contract ran since the version's deploy" });

export const eligibilityResponseSchema = z.object({
  verdict: z.enum(["SAFE", "UNSAFE", "UNKNOWN"]),
  version: z.string(),
  current_version: z.string().nullable(),
  basis: eligibilityBasisSchema,
  reasons: z.array(
    z.object({
      kind: z.enum([
        "removed",
        "unreadable_contract",
        "no_manifest",
        "never_deployed",
        "no_contract",
        "rehearsal_proof",
        "rehearsal_passed",
      ]),
      message: z.string(),
      release: z.string().nullable(),
      migration: z.string().nullable(),
      object: z.string().nullable(),
      at: isoTime.nullable(),
      /** A rehearsal's proof: the statement, PostgreSQL's error, and its call count when observed. */
      proof: z
        .object({
          statement: z.string(),
          error: z.string(),
          sqlstate: z.string().nullable(),
          step: z.enum(["prepare", "execute"]),
          calls: z.number().int().nullable(),
        })
        .nullable(),
    }),
  ),
  versions: z.array(
    z.object({
      version: z.string(),
      last_deployed_at: isoTime,
      verdict: z.enum(["SAFE", "UNSAFE", "UNKNOWN"]),
      basis: eligibilityBasisSchema,
    }),
  ),
  /** Which manifest decided: declared with the deploy, or observed by inspections (and the span they cover); null when none was needed or known. */
  manifest: z
    .object({ source: z.enum(["declared", "observed"]), from: isoTime.optional(), to: isoTime.optional() })
    .nullable(),
});
export type EligibilityResponse = z.infer<typeof eligibilityResponseSchema>;
