import { z } from "zod";
import { GATE_CHECK_IDS } from "../gate/facts.ts";
import { FLAGGER_HOOKS } from "../integrations/progressive-delivery.ts";
import { errorResponseSchema, gateResponseSchema } from "./responses.ts";

// Requests and answers of the integration endpoints (Argo Rollouts, Flagger, GitHub), for
// the OpenAPI document and the tests that check the server against it.

const check = z.object({ id: z.enum(GATE_CHECK_IDS), message: z.string() });

/** `GET /api/v1/integrations/argo/gate`: `jsonPath: "{$.result}"`, `successCondition: result.allowed == true`. */
export const argoGateResponseSchema = z.object({
  result: z.object({
    allowed: z.boolean(),
    state: z.string(),
    verdict: z.enum(["ALLOWED", "WAITING", "DENIED"]),
    failing: z.array(check),
    pending: z.array(check),
  }),
  gate: gateResponseSchema,
});

/** `GET /api/v1/integrations/argo/rollback`: `successCondition: result.verdict == "SAFE"`. */
export const argoRollbackResponseSchema = z.object({
  result: z.object({
    verdict: z.enum(["SAFE", "UNSAFE", "UNKNOWN"]),
    version: z.string(),
    current_version: z.string().nullable(),
    reason: z.string(),
  }),
});

/** Every Argo error: the usual `error`, and a `result` on which no documented condition holds. */
export const argoErrorResponseSchema = errorResponseSchema.extend({
  result: z.object({ allowed: z.literal(false), verdict: z.literal("UNKNOWN"), reason: z.string() }),
});

/** Flagger's webhook payload; Rollgate's keys travel in `metadata` (a string map in Flagger). */
export const flaggerPayloadSchema = z.object({
  name: z.string().optional(),
  namespace: z.string().optional(),
  phase: z.string().optional(),
  metadata: z.object({
    service: z.string().min(1),
    environment: z.string().min(1),
    release: z.string().min(1),
    /** The version a rollback returns to; by default the one deployed before the current. */
    version: z.string().min(1).optional(),
    /** The API token, where the webhook cannot send an Authorization header. */
    token: z.string().optional(),
  }),
});

export const flaggerHookSchema = z.enum(FLAGGER_HOOKS);

/** 200 (proceed) and 403 (hold) carry the same shape. */
export const flaggerResponseSchema = z.object({
  hook: flaggerHookSchema,
  allowed: z.boolean(),
  reason: z.string(),
  state: z.string(),
});

/** `POST /api/v1/integrations/github`: a ping, an ignored event, or the stored protection rule's callback. */
export const githubAnswerSchema = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ignored: z.string() }),
  z.object({ callback_id: z.uuid().nullable(), state: z.string().nullable(), duplicate: z.boolean() }),
]);
