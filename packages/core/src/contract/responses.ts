import { z } from "zod";
import { GATE_CHECK_IDS } from "../gate/facts.ts";
import { ROLLOUT_STATES } from "../types.ts";

// What the API answers, as documented in the OpenAPI description and checked in tests.

const isoTime = z.iso.datetime({ offset: true });

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.enum(["invalid_request", "unauthenticated", "forbidden", "not_found", "conflict", "payload_too_large", "unsupported_media_type", "rate_limited", "unavailable", "internal"]),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export const eventAcceptedSchema = z.object({ event_id: z.uuid(), duplicate: z.boolean() });

export const gateResponseSchema = z.object({
  service: z.string(),
  environment: z.string(),
  release: z.string(),
  state: z.enum(ROLLOUT_STATES),
  allowed: z.boolean(),
  window_ends_at: isoTime.nullable(),
  approvals: z.object({ have: z.number().int(), need: z.number().int() }),
  contract_checksum: z.string().nullable(),
  checks: z.array(
    z.object({
      id: z.enum(GATE_CHECK_IDS),
      title: z.string(),
      status: z.enum(["pass", "fail", "pending"]),
      message: z.string(),
      until: isoTime.nullable(),
      overridden: z.boolean(),
      /** Where to read more: the alert or incident behind a no-go. */
      links: z.array(z.object({ label: z.string(), href: z.string() })).optional(),
    }),
  ),
});

/** A lease runs exactly one script (`checksum`) and only for the token that took it. */
export const leaseResponseSchema = z.object({ lease_id: z.uuid(), expires_at: isoTime, checksum: z.string().regex(/^[0-9a-f]{64}$/), kind: z.enum(["gate", "recovery"]) });

export const eligibilityResponseSchema = z.object({
  verdict: z.enum(["SAFE", "UNSAFE", "UNKNOWN"]),
  version: z.string(),
  current_version: z.string().nullable(),
  reasons: z.array(
    z.object({
      kind: z.enum(["removed", "no_manifest", "never_deployed", "no_contract"]),
      message: z.string(),
      release: z.string().nullable(),
      migration: z.string().nullable(),
      object: z.string().nullable(),
      at: isoTime.nullable(),
    }),
  ),
  versions: z.array(z.object({ version: z.string(), last_deployed_at: isoTime, verdict: z.enum(["SAFE", "UNSAFE", "UNKNOWN"]) })),
});
