import { z } from "zod";
import {
  alertmanagerPayloadSchema,
  alertSummarySchema,
  pagerDutyDeliverySchema,
  pagerDutyResultSchema,
} from "./alerting.ts";
import { eventBodySchema } from "./events.ts";
import { leaseRequestBodySchema } from "./lease-request.ts";
import {
  argoErrorResponseSchema,
  argoGateResponseSchema,
  argoRollbackResponseSchema,
  flaggerPayloadSchema,
  flaggerResponseSchema,
} from "./integrations.ts";
import { integrationPaths } from "./openapi-integrations.ts";
import {
  eligibilityResponseSchema,
  errorResponseSchema,
  eventAcceptedSchema,
  gateResponseSchema,
  leaseResponseSchema,
} from "./responses.ts";

// The OpenAPI 3.1 description of /api/v1, generated from the same zod schemas that
// validate requests and responses, so the document cannot drift from the code.

// Requests are described as input (what a caller may send), responses as output.
const schema = (s: z.ZodType, io: "input" | "output" = "output") =>
  z.toJSONSchema(s, { target: "draft-2020-12", unrepresentable: "any", io });
const json = (ref: string) => ({ "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } });
const error = (description: string) => ({ description, content: json("Error") });
const badParams = "A path or query parameter is not valid percent-encoded UTF-8 or holds a NUL character";
const rolloutParams = ["service", "environment", "release"].map((name) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string" },
}));

export function openApiDocument(serverUrl = "/") {
  return {
    openapi: "3.1.0",
    info: {
      title: "Rollgate API",
      version: "1.0.0",
      description:
        "Release gate for rollback-safe PostgreSQL schema changes. CI pipelines send signed events and wait on the gate before a contract migration.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        receiverToken: {
          type: "http",
          scheme: "bearer",
          description:
            "An Alertmanager receiver's own token (admin, alerting), set as Alertmanager's http_config.authorization.credentials; it grants nothing else.",
        },
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            "An API token scoped to one service, some environments and scopes (events:write, gate:read, gate:lease).",
        },
      },
      schemas: {
        Event: schema(eventBodySchema, "input"),
        EventAccepted: schema(eventAcceptedSchema),
        Gate: schema(gateResponseSchema),
        Lease: schema(leaseResponseSchema),
        LeaseRequest: schema(leaseRequestBodySchema, "input"),
        Eligibility: schema(eligibilityResponseSchema),
        Error: schema(errorResponseSchema),
        AlertmanagerWebhook: schema(alertmanagerPayloadSchema, "input"),
        AlertSummary: schema(alertSummarySchema),
        PagerDutyDelivery: schema(pagerDutyDeliverySchema, "input"),
        PagerDutyResult: schema(pagerDutyResultSchema),
        ArgoGate: schema(argoGateResponseSchema),
        ArgoRollback: schema(argoRollbackResponseSchema),
        ArgoError: schema(argoErrorResponseSchema),
        FlaggerPayload: schema(flaggerPayloadSchema, "input"),
        FlaggerDecision: schema(flaggerResponseSchema),
      },
    },
    paths: {
      "/api/v1/events": {
        post: {
          summary: "Record a CI event (webhook)",
          description:
            "Signed per Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the token's whsec_ secret; 5 minutes' tolerance. A repeated webhook-id is answered as a duplicate with no second effect. Bodies over 256 KiB are refused.",
          parameters: ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => ({
            name,
            in: "header",
            required: true,
            schema: { type: "string" },
          })),
          requestBody: { required: true, content: json("Event") },
          responses: {
            "202": {
              description: "Recorded (after commit), or a duplicate of a recorded delivery",
              content: json("EventAccepted"),
            },
            "400": error(
              "The body is not JSON, does not match the schema (an unknown field included: objects are closed), or holds text PostgreSQL cannot store (a NUL character or a lone surrogate, in any value or key), or a time no pipeline could mean (before 2000, or over a day ahead of receipt: `occurred_at`, an inspection's server start or statistics reset); details lists the fields",
            ),
            "401": error("Missing, unknown or revoked token; bad or stale signature"),
            "403": error("The token lacks events:write or is not scoped to this service or environment"),
            "404": error("No such service, environment or release"),
            "409": error(
              "The rollout's state refuses the event (illegal transition, destructive expand, an expand whose text Rollgate has not seen (`expand_unseen`: send data.sql), contract without lease); recorded as a rejected delivery. Also a webhook-id this token used for a lease request (details.reason `replayed`)",
            ),
            "413": error("The body is over 256 KiB"),
            "415": error("The body is not application/json"),
            "429": error("The token's rate limit is exhausted; see Retry-After"),
          },
        },
      },
      "/api/v1/rollouts/{service}/{environment}/{release}/gate": {
        get: {
          summary: "The contract gate's verdict and every check",
          parameters: rolloutParams,
          responses: {
            "200": { description: "The verdict", content: json("Gate") },
            "400": error(badParams),
            "401": error("Bad token"),
            "403": error("Scope"),
            "404": error("No such rollout"),
            "429": error("Rate limited"),
          },
        },
      },
      "/api/v1/rollouts/{service}/{environment}/{release}/gate/wait": {
        get: {
          summary: "Wait for the gate's verdict to change (long-poll)",
          description:
            "The same read as `…/gate` (gate:read, the token scoped to the environment) that a pipeline holds open: with `If-None-Match` set to the ETag of the verdict it has, the server answers as soon as the verdict differs, or 304 with the same ETag after `timeout` seconds; without it, or with an older tag, at once. The ETag is weak: it covers the state, the verdict and each check's status, deadline and override, not sentences that age with time. One wait is one request for the rate limit. All waiters of a rollout share one evaluation per change on each server, woken by a database notification of any write the gate reads (from any replica or the worker) and at the next instant the verdict can change by time alone. An open gate is answered first to the longest-waiting request on each server; the others get the next verdict (the lease taken: a closed gate naming the holder), or the open one after 2 s if no lease was taken. A long-poll rather than server-sent events: every answer is a whole verdict over an ordinary request, so the token's edge (authentication, rate limit, JSON errors) applies unchanged, proxies need no streaming settings, and a client that loses its connection simply asks again with its tag. Keep `timeout` below your proxies' idle timeout (the CLI holds 50 s).",
          parameters: [
            ...rolloutParams,
            {
              name: "timeout",
              in: "query",
              required: false,
              schema: { type: "integer", minimum: 0, maximum: 300, default: 50 },
              description: "Longest hold in seconds",
            },
            {
              name: "if-none-match",
              in: "header",
              required: false,
              schema: { type: "string" },
              description: "The ETag of the verdict the caller has",
            },
          ],
          responses: {
            "200": { description: "The verdict (it differs from If-None-Match); ETag header", content: json("Gate") },
            "304": { description: "Unchanged until the timeout; the same ETag" },
            "400": error(`timeout is not a whole number of seconds from 0 to 300; ${badParams}`),
            "401": error("Bad token"),
            "403": error("Scope: the same refusal as on …/gate"),
            "404": error("No such rollout"),
            "429": error("Rate limited"),
          },
        },
      },
      "/api/v1/rollouts/{service}/{environment}/{release}/gate/lease": {
        post: {
          summary: "Take the single contract lease while the gate passes",
          description:
            "Signed like an event (webhook-id, webhook-timestamp, webhook-signature over the body). The body names the rollout (`{ service, environment, release }`, as the CLI sends it; `{}` or empty names none): a body naming another rollout than the path is refused, so a signed request cannot be carried to another lease. A webhook-id is used once per token (shared with events): a repeated one is refused (409 `replayed`) whatever became of the first request, so sign each request, retries included, with a new id. The lease is bound to the contract script approved when it is granted (`checksum`) and to the token that took it: a contract whose checksum differs, or sent by another token, is refused and voids the lease. After a failed migration, a confirmed recovery run (dashboard) makes this grant a `recovery` lease for its fix script.",
          parameters: [
            ...rolloutParams,
            {
              name: "x-rollgate-holder",
              in: "header",
              required: false,
              schema: { type: "string" },
              description: "Who holds the lease, e.g. the CI job URL",
            },
          ],
          requestBody: { required: false, content: json("LeaseRequest") },
          responses: {
            "201": { description: "Granted to exactly one caller", content: json("Lease") },
            "400": error(
              `${badParams}; or a signed body naming another rollout than the path (details names the field)`,
            ),
            "401": error("Bad token or signature"),
            "403": error("Scope"),
            "404": error("No such rollout"),
            "409": error(
              "Another job holds the lease (details.reason `lease_held`, with the holder and its expiry; answered before the gate is evaluated, so a crowd of waiting pipelines is refused at once), the gate is closed (details carries the verdict), the rollout's state refuses the contract as migration.started would (details.reason, e.g. `window_open`), or the webhook-id was used before (details.reason `replayed`)",
            ),
            "429": error("Rate limited"),
          },
        },
      },
      "/api/v1/integrations/alertmanager": {
        post: {
          summary: "Alertmanager webhook receiver: firing alerts for the receiver's service block its contracts",
          description:
            "Alerts whose `service` label is the receiver's service (and whose `environment` label, if any, names one of its environments) open a no-go per fingerprint while firing and close it when resolved (the same fingerprint and `startsAt`, from the opening receiver's scope or a wider one). Alerts for other services, and resolves that do not match, are counted as ignored. Bodies over 1 MiB are refused.",
          security: [{ receiverToken: [] }],
          requestBody: { required: true, content: json("AlertmanagerWebhook") },
          responses: {
            "200": { description: "Applied", content: json("AlertSummary") },
            "400": error("Not JSON, or not an Alertmanager version 4 payload"),
            "401": error("Missing or unknown receiver token"),
            "413": error("Over 1 MiB"),
            "415": error("Not application/json"),
            "429": error("The receiver's rate limit is exhausted"),
          },
        },
      },
      "/api/v1/integrations/pagerduty/{endpoint}": {
        post: {
          summary: "PagerDuty v3 webhook receiver: triggered incidents block the receiver's service",
          description:
            "Signed by PagerDuty: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body with the subscription's secret>` (several, comma-separated, during a rotation). incident.triggered and incident.reopened open a no-go, incident.resolved closes it, other events are acknowledged. Refused, changing nothing: a wrong signature (401), an occurred_at more than 15 minutes from now (401, stale) and an event id seen before (409, replay).",
          security: [],
          parameters: [
            { name: "endpoint", in: "path", required: true, schema: { type: "string", format: "uuid" } },
            { name: "x-pagerduty-signature", in: "header", required: true, schema: { type: "string" } },
          ],
          requestBody: { required: true, content: json("PagerDutyDelivery") },
          responses: {
            "200": { description: "Applied or acknowledged", content: json("PagerDutyResult") },
            "400": error("Not JSON, or not a PagerDuty v3 delivery"),
            "401": error("Unknown receiver, wrong signature, or a stale event"),
            "409": error("A replay: this event id was delivered before"),
            "413": error("Over 1 MiB"),
            "415": error("Not application/json"),
            "429": error("The receiver's rate limit is exhausted"),
          },
        },
      },
      "/api/v1/rollback-eligibility": {
        get: {
          summary: "Is rolling the app back to a version still data-safe?",
          parameters: [
            { name: "service", in: "query", required: true, schema: { type: "string" } },
            { name: "environment", in: "query", required: true, schema: { type: "string" } },
            {
              name: "version",
              in: "query",
              required: false,
              schema: { type: "string" },
              description: "Default: the version deployed before the current one",
            },
          ],
          responses: {
            "200": { description: "SAFE, UNSAFE or UNKNOWN with reasons", content: json("Eligibility") },
            "400": error(`Missing parameters; ${badParams}`),
            "401": error("Bad token"),
            "403": error("Scope"),
            "404": error("Unknown service or environment"),
            "429": error("Rate limited"),
          },
        },
      },
      ...integrationPaths(json, error, (description: string) => ({ description, content: json("ArgoError") })),
    },
  };
}
