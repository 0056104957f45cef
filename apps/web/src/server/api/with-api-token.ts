import "server-only";
import type { ApiScope } from "@rollgate/core/types";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import { hitRateLimit, latestWindowBefore } from "@rollgate/db/queries/rate-limits";
import type { ApiToken } from "@rollgate/app/access/api-token";
import { findActiveToken, touchApiToken } from "@rollgate/db/queries/tokens";
import { now } from "../clock";
import { AppError, errorResponse, logError } from "../errors";
import { metrics } from "../metrics";
import { inRequest } from "../request";
import { enforceRateLimit, openEdgeDb } from "./edge";
import { assertStorableText } from "./storable-text";

export type { ApiToken };

export interface ApiContext {
  db: Db;
  token: ApiToken;
  now: Date;
}

type Handler<P> = (ctx: ApiContext, request: Request, params: P) => Promise<Response>;

/**
 * The edge of every machine endpoint: bearer token, the per-token rate limit (kept in
 * PostgreSQL so it holds across replicas), scope, text PostgreSQL can store in the path and
 * query, error mapping and metrics. The limit comes before the scope, so refused requests
 * count against it too. Handlers receive an authenticated context and checked params, and
 * only parse and call a use case.
 */
export function withApiToken<P = Record<string, never>>(route: string, scope: ApiScope, handler: Handler<P>) {
  return inRequest(route, async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    const m = metrics();
    const stop = m.apiDuration.startTimer({ route });
    let response: Response;
    let known: { db: Db; token: ApiToken; at: Date } | undefined;
    try {
      const db = await openEdgeDb();
      const at = now();
      const token = await authenticate(db, request);
      known = { db, token, at };
      await enforceRateLimit(db, `token:${token.id}`, at, "This token");
      // "Last used" to the minute: one write a minute, not one per request on a hot row.
      if (!token.lastUsedAt || at.getTime() - token.lastUsedAt.getTime() > 60_000)
        await touchApiToken(db, token.id, at);
      if (!token.scopes.includes(scope))
        throw new AppError("forbidden", `This token lacks the ${scope} scope.`, {
          required: scope,
          granted: token.scopes,
        });
      const params = await context.params;
      assertStorableText(params, "path");
      assertStorableText(Object.fromEntries(new URL(request.url).searchParams), "query");
      response = await handler({ db, token, now: at }, request, params);
    } catch (error) {
      response = errorResponse(error);
      if (known && error instanceof AppError && (error.code === "unauthenticated" || error.code === "forbidden"))
        await auditRefusal(known, route, error);
    }
    m.apiRequests.inc({ route, status: String(response.status) });
    stop();
    return response;
  });
}

async function authenticate(db: Db, request: Request): Promise<ApiToken> {
  const header = request.headers.get("authorization") ?? "";
  const bearer = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
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

/**
 * A valid token used with a bad signature or outside its scope is worth an audit entry
 * (a leaked token, a misconfigured pipeline). Unknown tokens are not recorded: anyone can
 * send those, and the chain is not a place for noise. Nor is a loop of refusals: the first
 * refusal of a token in each minute is chained, later ones in that minute are only counted
 * (bucket `refused:<token id>` in `rate_limits`), and the next chained refusal carries the
 * count of the token's last window before its own. So a token adds at most one entry a minute.
 */
async function auditRefusal(
  known: { db: Db; token: ApiToken; at: Date },
  route: string,
  error: AppError,
): Promise<void> {
  const { db, token, at } = known;
  try {
    const bucket = `refused:${token.id}`;
    const { count, windowStart } = await hitRateLimit(db, bucket, at, 60_000);
    if (count > 1) return;
    const previous = await latestWindowBefore(db, bucket, windowStart);
    const data = {
      route,
      token: token.name,
      code: error.code,
      message: error.message,
      windowStart,
      laterRefusals: "counted, not chained, until the window ends",
      previousWindow: previous ? { start: previous.windowStart, refused: previous.count } : null,
    };
    await appendAudit(db, {
      at,
      actorType: "token",
      actorId: token.id,
      action: "api.request_refused",
      subjectType: "api_token",
      subjectId: token.id,
      data,
    });
  } catch (e) {
    logError("could not audit a refused request", e);
  }
}
