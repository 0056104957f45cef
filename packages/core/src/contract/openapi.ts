import { z } from "zod";
import {
  alertmanagerPayloadSchema,
  alertSummarySchema,
  pagerDutyDeliverySchema,
  pagerDutyResultSchema,
} from "./alerting.ts";
import { API, type Endpoint } from "./endpoints.ts";
import { eventBodySchema } from "./events.ts";
import {
  argoErrorResponseSchema,
  argoGateResponseSchema,
  argoRollbackResponseSchema,
  flaggerPayloadSchema,
  flaggerResponseSchema,
  githubAnswerSchema,
} from "./integrations.ts";
import { leaseRequestBodySchema } from "./lease-request.ts";
import { observedStatementsResponseSchema } from "./rehearsal.ts";
import {
  eligibilityResponseSchema,
  errorResponseSchema,
  eventAcceptedSchema,
  gateResponseSchema,
  leaseResponseSchema,
} from "./responses.ts";

// The OpenAPI 3.1 description of /api/v1, generated from the endpoint descriptions
// (`endpoints.ts`) and the zod schemas that validate requests and answers, so the document
// cannot drift from the code.

/** Named schemas (`#/components/schemas/…`); any other schema is written in place. */
const COMPONENTS: Array<[string, z.ZodType, "input" | "output"]> = [
  ["Event", eventBodySchema, "input"],
  ["EventAccepted", eventAcceptedSchema, "output"],
  ["Gate", gateResponseSchema, "output"],
  ["Lease", leaseResponseSchema, "output"],
  ["LeaseRequest", leaseRequestBodySchema, "input"],
  ["Eligibility", eligibilityResponseSchema, "output"],
  ["ObservedStatements", observedStatementsResponseSchema, "output"],
  ["Error", errorResponseSchema, "output"],
  ["AlertmanagerWebhook", alertmanagerPayloadSchema, "input"],
  ["AlertSummary", alertSummarySchema, "output"],
  ["PagerDutyDelivery", pagerDutyDeliverySchema, "input"],
  ["PagerDutyResult", pagerDutyResultSchema, "output"],
  ["ArgoGate", argoGateResponseSchema, "output"],
  ["ArgoRollback", argoRollbackResponseSchema, "output"],
  ["ArgoError", argoErrorResponseSchema, "output"],
  ["FlaggerPayload", flaggerPayloadSchema, "input"],
  ["FlaggerDecision", flaggerResponseSchema, "output"],
  ["GitHubAnswer", githubAnswerSchema, "output"],
];

// Requests are described as input (what a caller may send), answers as output.
type JsonSchema = Record<string, unknown>;
const jsonSchema = (s: z.ZodType, io: "input" | "output"): JsonSchema =>
  z.toJSONSchema(s, { target: "draft-2020-12", unrepresentable: "any", io }) as JsonSchema;

function content(s: z.ZodType, io: "input" | "output") {
  const named = COMPONENTS.find(([, schema]) => schema === s)?.[0];
  if (named) return { "application/json": { schema: { $ref: `#/components/schemas/${named}` } } };
  const { $schema: _, ...inline } = jsonSchema(s, io);
  return { "application/json": { schema: inline } };
}

/** One parameter per property of an object schema (`path` or `query`), its description lifted to the parameter. */
function parameters(s: z.ZodObject | undefined, where: "path" | "query") {
  if (!s) return [];
  const doc = jsonSchema(s, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(doc.properties ?? {}).map(([name, property]) => {
    const { description, ...schema } = property;
    return {
      name,
      in: where,
      required: where === "path" || (doc.required ?? []).includes(name),
      schema,
      ...(typeof description === "string" ? { description } : {}),
    };
  });
}

function security(e: Endpoint) {
  if (e.auth.kind === "secret") return { security: e.auth.credential === "bearer" ? [{ receiverToken: [] }] : [] };
  if (e.auth.kind === "public") return { security: [] };
  return {};
}

function operation(e: Endpoint) {
  const params = [
    ...parameters(e.params, "path"),
    ...parameters(e.query, "query"),
    ...(e.headers ?? []).map((h) => ({
      name: h.name,
      in: "header",
      required: h.required,
      schema: { type: "string" },
      ...(h.description ? { description: h.description } : {}),
    })),
  ];
  return {
    summary: e.summary,
    ...(e.description ? { description: e.description } : {}),
    ...security(e),
    ...(params.length ? { parameters: params } : {}),
    ...(e.body ? { requestBody: { required: e.body.required, content: content(e.body.schema, "input") } } : {}),
    responses: Object.fromEntries(
      Object.entries(e.responses).map(([status, answer]) => [
        status,
        { description: answer.description, ...(answer.schema ? { content: content(answer.schema, "output") } : {}) },
      ]),
    ),
  };
}

/** The document's paths: every endpoint that is not internal, one operation per method. */
export function openApiPaths(
  endpoints: readonly Endpoint[] = Object.values(API),
): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints) {
    if (e.internal) continue;
    for (const method of typeof e.method === "string" ? [e.method] : e.method)
      (paths[e.path] ??= {})[method.toLowerCase()] = operation(e);
  }
  return paths;
}

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
      schemas: Object.fromEntries(COMPONENTS.map(([name, s, io]) => [name, jsonSchema(s, io)])),
    },
    paths: openApiPaths(),
  };
}
