import "server-only";
import { createHash } from "node:crypto";
import type { AnswerInput, Endpoint, PathParams } from "@rollgate/core/contract/endpoints";
import { errorResponseSchema } from "@rollgate/core/contract/responses";
import type { Db } from "@rollgate/db/client";
import { type ApiToken, findActiveToken, touchApiToken } from "@rollgate/db/queries/tokens";
import { now } from "../clock";
import { checkingAnswers } from "../env";
import { AppError, errorResponse } from "../errors";
import { metrics } from "../metrics";
import { inRequest } from "../request";
import { auditRefusal } from "./audit-refusal";
import { json, responseText } from "./bodies";
import { enforceRateLimit, openEdgeDb } from "./edge";
import { assertStorableText } from "./storable-text";

export type { ApiToken };

/** An endpoint's path parameters as the path gives them: text, checked only for what PostgreSQL can store. */
type Params<E extends Endpoint> = PathParams<E>;

/** What a handler gets, by the endpoint's authentication. */
export type Context<E extends Endpoint> = { request: Request; params: Params<E>; now: Date } & (E["auth"] extends {
  kind: "token";
}
  ? { db: Db; token: ApiToken }
  : E["auth"] extends { kind: "secret" }
    ? { db: Db }
    : unknown);

interface Options {
  /** Runs first, inside the edge (Flagger's token in the body moved to the header). */
  prepare?: (request: Request) => Promise<Request>;
  /** Reshapes every answer, keeping its status (Argo's metric answers). */
  finish?: (response: Response) => Promise<Response>;
  /** What to tell a caller when the database is unreachable: when to retry, in its terms. */
  retry?: string;
}

/**
 * The edge of every route under /api, as its description (`@rollgate/core/contract/endpoints`)
 * says: the request id and one log line, metrics (for /api/v1), a receiver's rate limit before it
 * is authenticated, an API token (the per-token rate limit, scope, refusals audited), text
 * PostgreSQL can store in the path and query, and errors as JSON bodies. In tests
 * (NODE_ENV=test, or ROLLGATE_CHECK_ANSWERS=1) every answer is parsed with the schema the
 * description declares for its status, and an answer that does not fit throws.
 */
export function serve<E extends Endpoint>(
  endpoint: E,
  handler: (ctx: Context<E>) => Promise<Response>,
  options: Options = {},
) {
  const route = endpoint.name;
  const counted = !endpoint.internal;
  const edge = async (original: Request, context?: { params?: Promise<Record<string, string | string[]>> }) => {
    const m = counted ? metrics() : null;
    const stop = m?.apiDuration.startTimer({ route });
    let response: Response;
    let known: { db: Db; token: ApiToken; at: Date } | undefined;
    try {
      const request = options.prepare ? await options.prepare(original) : original;
      const params = ((await context?.params) ?? {}) as Params<E>;
      const at = now();
      const base = { request, params, now: at };
      const auth = endpoint.auth;
      if (auth.kind === "token" || auth.kind === "secret") {
        const db = await openEdgeDb(options.retry);
        if (endpoint.receiver) {
          // Text first: the bucket is named after what the request presents.
          checkText(endpoint, request, params);
          await enforceRateLimit(db, receiverBucket(endpoint, request, params), at, "This sender");
        }
        if (auth.kind === "token") {
          const token = await authenticate(db, request);
          known = { db, token, at };
          await enforceRateLimit(db, `token:${token.id}`, at, "This token");
          // "Last used" to the minute: one write a minute, not one per request on a hot row.
          if (!token.lastUsedAt || at.getTime() - token.lastUsedAt.getTime() > 60_000)
            await touchApiToken(db, token.id, at);
          if (!token.scopes.includes(auth.scope))
            throw new AppError("forbidden", `This token lacks the ${auth.scope} scope.`, {
              required: auth.scope,
              granted: token.scopes,
            });
          if (!endpoint.receiver) checkText(endpoint, request, params);
          response = await handler({ ...base, db, token } as Context<E>);
        } else response = await handler({ ...base, db } as unknown as Context<E>);
      } else {
        checkText(endpoint, request, params);
        response = await handler(base as Context<E>);
      }
    } catch (error) {
      if (isNextControlFlow(error)) throw error;
      response = errorResponse(error);
      if (known && error instanceof AppError && (error.code === "unauthenticated" || error.code === "forbidden"))
        await auditRefusal(known, route, error);
    }
    if (options.finish) response = await options.finish(response);
    m?.apiRequests.inc({ route, status: String(response.status) });
    stop?.();
    if (checkingAnswers()) {
      await checkAnswer(endpoint, response);
      checked().add(route);
    }
    return response;
  };
  const served = endpoint.quiet ? edge : inRequest(route, edge);
  SERVED.add(served);
  return served;
}

const SERVED = new WeakSet<object>();

/** Whether a route handler is served by `serve` (a test walks every route file). */
export function isServed(handler: unknown): boolean {
  return typeof handler === "function" && SERVED.has(handler);
}

// On globalThis, like every process-wide record: Next bundles route handlers apart.
const CHECKED = Symbol.for("rollgate.checkedAnswers");
const checked = (): Set<string> => ((globalThis as Record<symbol, Set<string>>)[CHECKED] ??= new Set());

/** The endpoints (by name) whose answers were checked against their schemas in this process. */
export function checkedEndpoints(): ReadonlySet<string> {
  return checked();
}

/** A typed JSON answer: the body must fit the schema the endpoint declares for this status. */
export function reply<E extends Endpoint, S extends keyof E["responses"] & number>(
  _endpoint: E,
  status: S,
  body: AnswerInput<E, S>,
  headers?: Record<string, string>,
): Response {
  return json(body, { status, headers });
}

async function authenticate(db: Db, request: Request): Promise<ApiToken> {
  const bearer = bearerOf(request);
  if (!bearer)
    throw new AppError("unauthenticated", "Send the API token as `Authorization: Bearer <token>`.", undefined, {
      "www-authenticate": "Bearer",
    });
  const token = await findActiveToken(db, bearer);
  if (!token)
    throw new AppError("unauthenticated", "The API token is unknown or revoked.", undefined, {
      "www-authenticate": "Bearer",
    });
  return token;
}

function bearerOf(request: Request): string {
  const header = request.headers.get("authorization") ?? "";
  return header.startsWith("Bearer ") ? header.slice(7).trim() : "";
}

/** Checks that a token may act on this service and environment. */
export function assertScope(token: ApiToken, service: string, environment: string): void {
  if (token.serviceSlug !== service)
    throw new AppError("forbidden", `This token belongs to service ${token.serviceSlug}, not ${service}.`);
  if (!token.environments.includes(environment))
    throw new AppError(
      "forbidden",
      `This token may not act on environment ${environment} (allowed: ${token.environments.join(", ")}).`,
    );
}

/** Path parameters and the query, where the endpoint takes either or a token reads them. */
function checkText(endpoint: Endpoint, request: Request, params: Record<string, string>): void {
  if (endpoint.params) assertStorableText(params, "path");
  if (endpoint.query || endpoint.auth.kind === "token")
    assertStorableText(Object.fromEntries(new URL(request.url).searchParams), "query");
}

/**
 * A receiver's bucket before anything it presents is believed: its address (PagerDuty's
 * endpoint in the path, the bucket its checked requests always used), the presented bearer
 * (hashed, never stored), or else the route (GitHub's one App). A flood of bad credentials is
 * refused by its own count, and does not exhaust a real sender's.
 */
function receiverBucket(endpoint: Endpoint, request: Request, params: Record<string, string>): string {
  if (params.endpoint) return `integration:${params.endpoint}`;
  const bearer = bearerOf(request);
  if (bearer) return `receiver:${createHash("sha256").update(bearer).digest("hex").slice(0, 32)}`;
  return `receiver:${endpoint.name}`;
}

/** Next's redirect() and notFound() are thrown; Next answers them. */
function isNextControlFlow(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return typeof digest === "string" && digest.startsWith("NEXT_");
}

/** Throws unless the answer is one the endpoint declares, its body fitting the declared schema. */
export async function checkAnswer(endpoint: Endpoint, response: Response): Promise<void> {
  if (endpoint.unchecked) return;
  const declared = endpoint.responses[response.status];
  // Any endpoint may fail unexpectedly: a 500 is the error body, logged.
  const schema = declared?.schema ?? (response.status === 500 ? errorResponseSchema : undefined);
  const where = `${endpoint.name} answered ${response.status}`;
  if (!declared && response.status !== 500) throw new Error(`${where}, which its description does not declare`);
  if (declared?.content === "none" && response.body !== null) throw new Error(`${where} with a body`);
  if (!schema) return;
  const text = await responseText(response);
  let body: unknown;
  try {
    body = JSON.parse(text ?? "");
  } catch {
    throw new Error(`${where} with a body that is not JSON: ${(text ?? "").slice(0, 200)}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new Error(`${where} with a body its schema refuses: ${JSON.stringify(parsed.error.issues).slice(0, 2000)}`);
}
