import { z } from "zod";
import type { ApiScope } from "../types.ts";
import {
  alertmanagerPayloadSchema,
  alertSummarySchema,
  pagerDutyDeliverySchema,
  pagerDutyResultSchema,
} from "./alerting.ts";
import {
  healthResponseSchema,
  notReadyResponseSchema,
  overviewResponseSchema,
  readyResponseSchema,
} from "./dashboard.ts";
import { backfillControlResponseSchema, backfillKeySchema, dashboardBackfillsSchema } from "./backfill.ts";
import { dataChecksResponseSchema } from "./data-checks.ts";
import { eventBodySchema } from "./events.ts";
import {
  argoErrorResponseSchema,
  argoGateResponseSchema,
  argoRollbackResponseSchema,
  flaggerHookSchema,
  flaggerPayloadSchema,
  flaggerResponseSchema,
  githubAnswerSchema,
} from "./integrations.ts";
import { leaseRequestBodySchema } from "./lease-request.ts";
import {
  dashboardGateSchema,
  eligibilityResponseSchema,
  errorResponseSchema,
  eventAcceptedSchema,
  gateResponseSchema,
  leaseResponseSchema,
} from "./responses.ts";
import { observedStatementsResponseSchema } from "./rehearsal.ts";
import { rolloutKeySchema } from "./rollout-key.ts";

// Every HTTP endpoint under /api, described once: method, path, who may call it, what it
// takes and what it answers (errors included). The web app serves each through one wrapper
// that follows the description (`apps/web/src/server/api/serve.ts`), the OpenAPI document and
// the standalone server's fast machine routes are generated from it, and the CLI's client is
// typed by it. A route file under `apps/web/src/app/api` without a description here fails a test.

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Who may call an endpoint. */
export type Authentication =
  /** An API token (`Authorization: Bearer`) with this scope; the per-token rate limit. */
  | { kind: "token"; scope: ApiScope }
  /** An integration's own secret: a receiver's bearer token, or a signature over the body. */
  | { kind: "secret"; credential: "bearer" | "signature" }
  /** The dashboard's reading policy (a session, a public wallboard, a metrics token): the handler asks it. */
  | { kind: "session" }
  /** Anyone. */
  | { kind: "public" };

/** One answer of an endpoint, by status. */
export interface Answer {
  description: string;
  /** The JSON body's schema; none for an answer without a body or of another content type. */
  schema?: z.ZodType;
  /** `json` (the default with a schema), `none`, or what else the body is. */
  content?: "json" | "none" | "text" | "ndjson" | "html";
}

export interface Endpoint {
  /** The route's label in metrics and the request log. */
  name: string;
  method: Method | readonly Method[];
  /** The path as OpenAPI writes it: `{name}` one segment, `{...name}` the rest. */
  path: string;
  auth: Authentication;
  /**
   * An integration a third party calls (Alertmanager, PagerDuty, GitHub, Argo Rollouts, Flagger):
   * rate-limited before it is authenticated, by the credential it presents, so a flood of bad
   * credentials is refused before any is checked.
   */
  receiver?: true;
  /** Path parameters (strings). */
  params?: z.ZodObject;
  /** Query parameters, as the URL gives them (strings, coerced). */
  query?: z.ZodObject;
  body?: { schema: z.ZodType; required: boolean };
  headers?: ReadonlyArray<{ name: string; required: boolean; description?: string }>;
  responses: Readonly<Record<number, Answer>>;
  summary: string;
  description?: string;
  /** Not in the OpenAPI document of /api/v1 (the dashboard's own and operational routes), nor in the API's metrics. */
  internal?: true;
  /** No request log line: probes and scrapes, called every few seconds. */
  quiet?: true;
  /** Why the answers are not checked against `responses` in tests (a library's own pages and redirects). */
  unchecked?: string;
}

const error = (description: string): Answer => ({ description, schema: errorResponseSchema });
const argoError = (description: string): Answer => ({ description, schema: argoErrorResponseSchema });
const badParams = "A path or query parameter is not valid percent-encoded UTF-8 or holds a NUL character";
const signedHeaders = ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => ({
  name,
  required: true,
}));

/** Keeps an endpoint's literal types (its schemas and statuses) for the wrapper and the client. */
const endpoint = <const E extends Endpoint>(e: E): E => e;

export const API = {
  events: endpoint({
    name: "events",
    method: "POST",
    path: "/api/v1/events",
    auth: { kind: "token", scope: "events:write" },
    headers: signedHeaders,
    body: { schema: eventBodySchema, required: true },
    summary: "Record a CI event (webhook)",
    description:
      "Signed per Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the token's whsec_ secret; 5 minutes' tolerance. A repeated webhook-id is answered as a duplicate with no second effect. Bodies over 256 KiB are refused.",
    responses: {
      202: {
        description: "Recorded (after commit), or a duplicate of a recorded delivery",
        schema: eventAcceptedSchema,
      },
      400: error(
        "A data check (`data.data_checks`, `data.declared_checks`, `data.check`) that is not exactly one read-only SELECT (details names each check and says why: another statement, two statements, FOR UPDATE/SHARE, SELECT INTO, a data-modifying WITH, a function with side effects, a syntax error); the body is not JSON, does not match the schema (an unknown field included: objects are closed), or holds text PostgreSQL cannot store (a NUL character or a lone surrogate, in any value or key), or a time no pipeline could mean (before 2000, or over a day ahead of receipt: `occurred_at`, an inspection's server start or statistics reset); details lists the fields",
      ),
      401: error("Missing, unknown or revoked token; bad or stale signature"),
      403: error("The token lacks events:write or is not scoped to this service or environment"),
      404: error("No such service, environment or release"),
      409: error(
        "A data check that cannot be declared (details.reason `data_check_conflict`: its name belongs to another source; `script_locked`: the contract has started), nothing recorded. The rollout's state refuses the event (illegal transition, destructive expand, an expand whose text Rollgate has not seen (`expand_unseen`: send data.sql), contract without lease); recorded as a rejected delivery. Also a webhook-id this token used for a lease request (details.reason `replayed`)",
      ),
      413: error("The body is over 256 KiB"),
      415: error("The body is not application/json"),
      429: error("The token's rate limit is exhausted; see Retry-After"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  gate: endpoint({
    name: "gate",
    method: "GET",
    path: "/api/v1/rollouts/{service}/{environment}/{release}/gate",
    auth: { kind: "token", scope: "gate:read" },
    params: rolloutKeySchema,
    summary: "The contract gate's verdict and every check",
    responses: {
      200: { description: "The verdict", schema: gateResponseSchema },
      400: error(badParams),
      401: error("Bad token"),
      403: error("Scope"),
      404: error("No such rollout"),
      429: error("Rate limited"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  gateWait: endpoint({
    name: "gate_wait",
    method: "GET",
    path: "/api/v1/rollouts/{service}/{environment}/{release}/gate/wait",
    auth: { kind: "token", scope: "gate:read" },
    params: rolloutKeySchema,
    query: z
      .object({
        timeout: z.coerce.number().int().min(0).max(300).default(50).meta({ description: "Longest hold in seconds" }),
      })
      .strict(),
    headers: [{ name: "if-none-match", required: false, description: "The ETag of the verdict the caller has" }],
    summary: "Wait for the gate's verdict to change (long-poll)",
    description:
      "The same read as `…/gate` (gate:read, the token scoped to the environment) that a pipeline holds open: with `If-None-Match` set to the ETag of the verdict it has, the server answers as soon as the verdict differs, or 304 with the same ETag after `timeout` seconds; without it, or with an older tag, at once. The ETag is weak: it covers the state, the verdict and each check's status, deadline and override, not sentences that age with time. One wait is one request for the rate limit. All waiters of a rollout share one evaluation per change on each server, woken by a database notification of any write the gate reads (from any replica or the worker) and at the next instant the verdict can change by time alone. An open gate is answered first to the longest-waiting request on each server; the others get the next verdict (the lease taken: a closed gate naming the holder), or the open one after 2 s if no lease was taken. A long-poll rather than server-sent events: every answer is a whole verdict over an ordinary request, so the token's edge (authentication, rate limit, JSON errors) applies unchanged, proxies need no streaming settings, and a client that loses its connection simply asks again with its tag. Keep `timeout` below your proxies' idle timeout (the CLI holds 50 s).",
    responses: {
      200: { description: "The verdict (it differs from If-None-Match); ETag header", schema: gateResponseSchema },
      304: { description: "Unchanged until the timeout; the same ETag", content: "none" },
      400: error(`timeout is not a whole number of seconds from 0 to 300; ${badParams}`),
      401: error("Bad token"),
      403: error("Scope: the same refusal as on …/gate"),
      404: error("No such rollout"),
      429: error("Rate limited"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  lease: endpoint({
    name: "lease",
    method: "POST",
    path: "/api/v1/rollouts/{service}/{environment}/{release}/gate/lease",
    auth: { kind: "token", scope: "gate:lease" },
    params: rolloutKeySchema,
    headers: [
      ...signedHeaders,
      { name: "x-rollgate-holder", required: false, description: "Who holds the lease, e.g. the CI job URL" },
    ],
    body: { schema: leaseRequestBodySchema, required: false },
    summary: "Take the single contract lease while the gate passes",
    description:
      "Signed like an event (webhook-id, webhook-timestamp, webhook-signature over the body). The body names the rollout (`{ service, environment, release }`, as the CLI sends it; `{}` or empty names none): a body naming another rollout than the path is refused, so a signed request cannot be carried to another lease. A webhook-id is used once per token (shared with events): a repeated one is refused (409 `replayed`) whatever became of the first request, so sign each request, retries included, with a new id. The lease is bound to the contract script approved when it is granted (`checksum`) and to the token that took it: a contract whose checksum differs, or sent by another token, is refused and voids the lease. After a failed migration, a confirmed recovery run (dashboard) makes this grant a `recovery` lease for its fix script.",
    responses: {
      201: { description: "Granted to exactly one caller", schema: leaseResponseSchema },
      400: error(`${badParams}; or a signed body naming another rollout than the path (details names the field)`),
      401: error("Bad token or signature"),
      403: error("Scope"),
      404: error("No such rollout"),
      409: error(
        "Another job holds the lease (details.reason `lease_held`, with the holder and its expiry; answered before the gate is evaluated, so a crowd of waiting pipelines is refused at once), the gate is closed (details carries the verdict), the rollout's state refuses the contract as migration.started would (details.reason, e.g. `window_open`), or the webhook-id was used before (details.reason `replayed`)",
      ),
      429: error("Rate limited"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  backfillControl: endpoint({
    name: "backfill_control",
    method: "GET",
    path: "/api/v1/rollouts/{service}/{environment}/{release}/backfills/{backfill_id}",
    auth: { kind: "token", scope: "gate:read" },
    params: backfillKeySchema,
    summary: "What the dashboard asked of a backfill: run, pause or cancel",
    description:
      "`rollgate backfill` asks before every batch (gate:read, the token scoped to the environment, as on `…/gate`). `control` is what the service's release managers and on-call engineers last pressed on the rollout page (`run` until anyone did, again after Resume); `state` is the backfill as its `backfill.*` events left it (finished, failed and cancelled are final). The backfill exists once its `backfill.started` event was accepted.",
    responses: {
      200: { description: "The control and the backfill's state", schema: backfillControlResponseSchema },
      400: error(badParams),
      401: error("Bad token"),
      403: error("Scope"),
      404: error("No such rollout, or no backfill with this id on it (none started)"),
      429: error("Rate limited"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  dataChecks: endpoint({
    name: "data_checks",
    method: "GET",
    path: "/api/v1/rollouts/{service}/{environment}/{release}/data-checks",
    auth: { kind: "token", scope: "gate:read" },
    params: rolloutKeySchema,
    summary: "The rollout's declared data checks, for rollgate inspect to run",
    description:
      'Every data check the rollout declares (gate:read, the token scoped to the environment, as on `…/gate`): from `release.created` (`data_checks`), from `rollgate inspect --checks` (`declared_checks` of a `database.inspected`) and from each `backfill.started` (`check`). Each is one read-only SELECT, checked when it was declared, and pinned by `checksum` (the SHA-256 of `sql`): the gate check `data` ("Data is carried over") counts a result only for the checksum it ran, so `rollgate inspect` sends the checksum with each result.',
    responses: {
      200: { description: "The declared checks, by name", schema: dataChecksResponseSchema },
      400: error(badParams),
      401: error("Bad token"),
      403: error("Scope"),
      404: error("No such rollout"),
      429: error("Rate limited"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  observedStatements: endpoint({
    name: "observed_statements",
    method: "GET",
    path: "/api/v1/services/{service}/environments/{environment}/versions/{version}/statements",
    auth: { kind: "token", scope: "gate:read" },
    params: z.object({ service: z.string(), environment: z.string(), version: z.string() }),
    summary: "The statements Rollgate observed an app version run, for rollgate rehearse --version",
    description:
      "What `rollgate inspect` saw the version run in this environment (gate:read, the token scoped to the environment, as on `…/gate`): pg_stat_statements' normalised statements, one per queryid and role, most-called first, each with the calls that grew between two consecutive inspections of the environment while that version alone was deployed (an interval with a deploy, a server restart, a statistics reset or evictions teaches nothing). `from` and `to` span those intervals; `complete` is false when an inspection had to leave statements out (the body limit, or texts its role may not read). Learned from inspections whose summary carries a `workload` (older CLIs send none).",
    responses: {
      200: { description: "The version's observed statements", schema: observedStatementsResponseSchema },
      400: error(badParams),
      401: error("Bad token"),
      403: error("Scope"),
      404: error("Unknown service or environment, or no statement of this version was ever observed"),
      429: error("Rate limited"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  alertmanager: endpoint({
    name: "alertmanager",
    method: "POST",
    path: "/api/v1/integrations/alertmanager",
    auth: { kind: "secret", credential: "bearer" },
    receiver: true,
    body: { schema: alertmanagerPayloadSchema, required: true },
    summary: "Alertmanager webhook receiver: firing alerts for the receiver's service block its contracts",
    description:
      "Alerts whose `service` label is the receiver's service (and whose `environment` label, if any, names one of its environments) open a no-go per fingerprint while firing and close it when resolved (the same fingerprint and `startsAt`, from the opening receiver's scope or a wider one). Alerts for other services, and resolves that do not match, are counted as ignored. Bodies over 1 MiB are refused. Rate-limited per presented token before it is checked.",
    responses: {
      200: { description: "Applied", schema: alertSummarySchema },
      400: error("Not JSON, or not an Alertmanager version 4 payload"),
      401: error("Missing or unknown receiver token"),
      413: error("Over 1 MiB"),
      415: error("Not application/json"),
      429: error("The receiver's rate limit is exhausted"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  pagerduty: endpoint({
    name: "pagerduty",
    method: "POST",
    path: "/api/v1/integrations/pagerduty/{endpoint}",
    auth: { kind: "secret", credential: "signature" },
    receiver: true,
    params: z.object({ endpoint: z.string().meta({ format: "uuid" }) }),
    headers: [{ name: "x-pagerduty-signature", required: true }],
    body: { schema: pagerDutyDeliverySchema, required: true },
    summary: "PagerDuty v3 webhook receiver: triggered incidents block the receiver's service",
    description:
      "Signed by PagerDuty: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body with the subscription's secret>` (several, comma-separated, during a rotation). incident.triggered and incident.reopened open a no-go, incident.resolved closes it, other events are acknowledged. Refused, changing nothing: a wrong signature (401), an occurred_at more than 15 minutes from now (401, stale) and an event id seen before (409, replay). Rate-limited per receiver address before the signature is checked.",
    responses: {
      200: { description: "Applied or acknowledged", schema: pagerDutyResultSchema },
      400: error("Not JSON, or not a PagerDuty v3 delivery"),
      401: error("Unknown receiver, wrong signature, or a stale event"),
      409: error("A replay: this event id was delivered before"),
      413: error("Over 1 MiB"),
      415: error("Not application/json"),
      429: error("The receiver's rate limit is exhausted"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  eligibility: endpoint({
    name: "eligibility",
    method: "GET",
    path: "/api/v1/rollback-eligibility",
    auth: { kind: "token", scope: "gate:read" },
    query: z.object({
      service: z.string().min(1),
      environment: z.string().min(1),
      version: z
        .string()
        .min(1)
        .optional()
        .meta({ description: "Default: the version deployed before the current one" }),
    }),
    summary: "Is rolling the app back to a version still data-safe?",
    responses: {
      200: { description: "SAFE, UNSAFE or UNKNOWN with reasons", schema: eligibilityResponseSchema },
      400: error(`Missing parameters; ${badParams}`),
      401: error("Bad token"),
      403: error("Scope"),
      404: error("Unknown service or environment"),
      429: error("Rate limited"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  argoGate: endpoint({
    name: "argo_gate",
    method: "GET",
    path: "/api/v1/integrations/argo/gate",
    auth: { kind: "token", scope: "gate:read" },
    receiver: true,
    query: z.object({ service: z.string().min(1), environment: z.string().min(1), release: z.string().min(1) }),
    summary: "Argo Rollouts web metric: is the contract gate open?",
    description:
      'Scope gate:read. Use `jsonPath: "{$.result}"` and `successCondition: result.allowed == true` (`failureCondition: result.verdict == "DENIED"`; WAITING is neither). Errors keep their status and also carry `result` with `allowed: false, verdict: "UNKNOWN"`.',
    responses: {
      200: { description: "The gate as a metric result, and the whole gate", schema: argoGateResponseSchema },
      400: argoError("Missing parameters"),
      401: argoError("Bad token"),
      403: argoError("Scope"),
      404: argoError("No such rollout"),
      429: argoError("Rate limited"),
      503: argoError("The database is unreachable; retry later"),
    },
  }),
  argoRollback: endpoint({
    name: "argo_rollback",
    method: "GET",
    path: "/api/v1/integrations/argo/rollback",
    auth: { kind: "token", scope: "gate:read" },
    receiver: true,
    query: z.object({
      service: z.string().min(1),
      environment: z.string().min(1),
      version: z
        .string()
        .min(1)
        .optional()
        .meta({ description: "Default: the version deployed before the current one" }),
    }),
    summary: "Argo Rollouts web metric: is rolling back to a version data-safe?",
    description:
      'Scope gate:read. Use `jsonPath: "{$.result}"`, `successCondition: result.verdict == "SAFE"`, `failureCondition: result.verdict == "UNSAFE"` (UNKNOWN is inconclusive). Errors as for the gate metric.',
    responses: {
      200: { description: "SAFE, UNSAFE or UNKNOWN", schema: argoRollbackResponseSchema },
      400: argoError("Missing parameters"),
      401: argoError("Bad token"),
      403: argoError("Scope"),
      404: argoError("Unknown service or environment, or nothing to roll back to"),
      429: argoError("Rate limited"),
      503: argoError("The database is unreachable; retry later"),
    },
  }),
  flagger: endpoint({
    name: "flagger",
    method: "POST",
    path: "/api/v1/integrations/flagger/{hook}",
    auth: { kind: "token", scope: "gate:read" },
    receiver: true,
    params: z.object({ hook: flaggerHookSchema }),
    body: { schema: flaggerPayloadSchema, required: true },
    summary: "Flagger webhook: 200 proceeds, 403 holds",
    description:
      "Scope gate:read; the token in `Authorization: Bearer` or, since Flagger webhooks cannot send headers, in `metadata.token`. pre-rollout: proceed once the expand succeeded and no no-go stands. confirm-promotion: proceed unless a check fails against the release (expand, rollback, SLO, no-go). rollback: 200 asks Flagger to roll back, only on an SLO breach or no-go and never into an UNSAFE version. Reads only.",
    responses: {
      200: { description: "Proceed", schema: flaggerResponseSchema },
      403: {
        description: "Hold (the same shape, with the reason), or a token outside its scope (Error)",
        schema: z.union([flaggerResponseSchema, errorResponseSchema]),
      },
      400: error("Not JSON, or metadata lacks service, environment or release"),
      401: error("Bad token"),
      404: error("Unknown hook or rollout"),
      413: error("Body over 64 KiB"),
      429: error("Rate limited"),
      503: error("The database is unreachable; retry later"),
    },
  }),
  github: endpoint({
    name: "github",
    method: "POST",
    path: "/api/v1/integrations/github",
    auth: { kind: "secret", credential: "signature" },
    receiver: true,
    headers: ["X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256"].map((name) => ({ name, required: true })),
    summary: "GitHub App webhook: deployment protection rules",
    description:
      "Authenticated by `X-Hub-Signature-256` (HMAC-SHA256 with the App's webhook secret) only; no bearer token. A `deployment_protection_rule` (action `requested`) for a linked repository environment is matched to a release by the deployment's sha, short sha or ref, stored, and answered through its `deployment_callback_url` (`approved` when the contract gate is open, `rejected` with the failing checks) at once or when the gate decides; GitHub's other events are acknowledged and ignored. A redelivery (same `X-GitHub-Delivery`) is answered as a duplicate. Rate-limited as one sender (the App) before the signature is checked.",
    responses: {
      200: { description: "A ping", schema: githubAnswerSchema },
      202: {
        description: "Stored (state pending, approved, rejected or failed), a duplicate, or an ignored event",
        schema: githubAnswerSchema,
      },
      400: error("Not JSON, not a protection-rule payload, no X-GitHub-Delivery, or text PostgreSQL cannot store"),
      401: error("The signature does not verify"),
      404: error("No GitHub App is configured (admin → integrations)"),
      413: error("Body over 1 MiB"),
      429: error("Rate limited; GitHub redelivers later"),
      503: error("The database is unreachable; GitHub redelivers later"),
    },
  }),
  openapi: endpoint({
    name: "openapi",
    method: "GET",
    path: "/api/v1/openapi.json",
    auth: { kind: "public" },
    summary: "This document",
    internal: true,
    responses: {
      200: {
        description: "The OpenAPI 3.1 description of /api/v1",
        schema: z.looseObject({ openapi: z.literal("3.1.0") }),
      },
    },
  }),
  dashboardGate: endpoint({
    name: "dashboard_gate",
    method: "GET",
    path: "/api/dashboard/gate/{service}/{environment}/{release}",
    auth: { kind: "session" },
    params: rolloutKeySchema,
    summary: "The gate panel's live data, for a role on the service",
    internal: true,
    responses: {
      200: { description: "The gate and the server's clock", schema: dashboardGateSchema },
      400: error(badParams),
      401: error("Not signed in"),
      403: error("No role on the service"),
      404: error("No such rollout"),
    },
  }),
  dashboardBackfills: endpoint({
    name: "dashboard_backfills",
    method: "GET",
    path: "/api/dashboard/backfills/{service}/{environment}/{release}",
    auth: { kind: "session" },
    params: rolloutKeySchema,
    summary:
      "The backfill panel's live data, for a role on the service: each backfill and the buttons the reader may press",
    internal: true,
    responses: {
      200: { description: "The rollout's backfills and the server's clock", schema: dashboardBackfillsSchema },
      400: error(badParams),
      401: error("Not signed in"),
      403: error("No role on the service"),
      404: error("No such rollout"),
    },
  }),
  dashboardOverview: endpoint({
    name: "dashboard_overview",
    method: "GET",
    path: "/api/dashboard/overview",
    auth: { kind: "session" },
    summary: "The overview's live data: signed in, or anyone on a public wallboard",
    internal: true,
    responses: {
      200: { description: "Every service's environments and what needs attention", schema: overviewResponseSchema },
      401: error("Not signed in"),
    },
  }),
  drill: endpoint({
    name: "drill",
    method: "POST",
    path: "/api/drill",
    auth: { kind: "session" },
    body: {
      schema: z.object({ scenario: z.enum(["unsafe", "safe", "both", "late-writes", "all"]).default("both") }),
      required: false,
    },
    summary: "Runs the incident drill and streams each step as a line of JSON, then the evidence",
    internal: true,
    responses: {
      200: { description: "`{ step }` lines, then `{ evidence }` (or `{ error }`)", content: "ndjson" },
      400: error("scenario is not unsafe, safe, both, late-writes or all"),
      401: error("Not signed in"),
      403: error("Not allowed to run the drill"),
      429: error("A drill is already running on this server"),
    },
  }),
  health: endpoint({
    name: "health",
    quiet: true,
    method: "GET",
    path: "/api/health",
    auth: { kind: "public" },
    summary: "The process is up (liveness)",
    internal: true,
    responses: { 200: { description: "Up", schema: healthResponseSchema } },
  }),
  ready: endpoint({
    name: "ready",
    quiet: true,
    method: "GET",
    path: "/api/ready",
    auth: { kind: "public" },
    summary: "The database answers (readiness)",
    internal: true,
    responses: {
      200: { description: "Ready", schema: readyResponseSchema },
      503: { description: "Not ready, with the reason", schema: notReadyResponseSchema },
    },
  }),
  metrics: endpoint({
    name: "metrics",
    quiet: true,
    method: "GET",
    path: "/api/metrics",
    auth: { kind: "session" },
    summary: "Prometheus metrics, for a signed-in user or the bearer ROLLGATE_METRICS_TOKEN",
    internal: true,
    responses: {
      200: { description: "The text exposition format", content: "text" },
      401: error("Neither signed in nor the metrics token"),
      403: error("Not allowed to read metrics"),
    },
  }),
  auth: endpoint({
    name: "auth",
    method: ["GET", "POST"],
    path: "/api/auth/{...nextauth}",
    auth: { kind: "public" },
    summary: "next-auth: sign-in pages, OpenID callback, session, sign-out",
    internal: true,
    unchecked: "next-auth answers with its own pages, redirects and JSON",
    responses: { 200: { description: "next-auth's own answers (pages, redirects, JSON)", content: "html" } },
  }),
  unknown: endpoint({
    name: "unknown",
    method: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    path: "/api/{...unknown}",
    auth: { kind: "public" },
    summary: "Any other /api path: a JSON 404 for machines, not the HTML not-found page",
    internal: true,
    responses: { 404: error("There is no such endpoint") },
  }),
} as const;

export type Api = typeof API;
export type EndpointName = keyof Api;

/** The concrete path of an endpoint for these path parameters (each percent-encoded). */
export function pathOf(e: Endpoint, params: Record<string, string> = {}): string {
  return e.path.replace(/\{(?:\.\.\.)?(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${e.name}: no value for the path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** The schema of an endpoint's answer with this status, if it declares one. */
export function answerSchema(e: Endpoint, status: number): z.ZodType | undefined {
  return e.responses[status]?.schema;
}

type Schema<A> = A extends { schema: infer Z extends z.ZodType } ? Z : never;
type Statuses<E extends Endpoint> = keyof E["responses"] & number;

/** The JSON an endpoint answers with this status, as its schema reads it (null for an answer without one). */
export type AnswerBody<E extends Endpoint, S extends Statuses<E>> = [Schema<E["responses"][S]>] extends [never]
  ? null
  : z.output<Schema<E["responses"][S]>>;

/** The JSON a handler may answer with this status (before the schema's transforms). */
export type AnswerInput<E extends Endpoint, S extends Statuses<E>> = z.input<Schema<E["responses"][S]>>;

/** Every answer an endpoint declares, told apart by `status`. */
export type Answers<E extends Endpoint> = { [S in Statuses<E>]: { status: S; json: AnswerBody<E, S> } }[Statuses<E>];

/** The body a caller sends. */
export type RequestBody<E extends Endpoint> = E["body"] extends { schema: infer Z extends z.ZodType }
  ? z.input<Z>
  : never;

/** The path parameters, as text. */
export type PathParams<E extends Endpoint> = E["params"] extends z.ZodObject
  ? { [K in keyof z.infer<E["params"]>]: string }
  : Record<string, never>;
