import "server-only";
import type { Db } from "@rollgate/db/client";
import { touchEndpoint, type IntegrationEndpoint } from "@rollgate/db/queries/integrations";
import { requestBody } from "../api/bodies";
import { enforceRateLimit, openEdgeDb } from "../api/edge";
import { assertStorableText } from "../api/storable-text";
import { now } from "../clock";
import { AppError, errorResponse } from "../errors";
import { metrics } from "../metrics";
import { inRequest } from "../request";

export const MAX_ALERT_BODY_BYTES = 1024 * 1024;

export interface IntegrationRequest {
  db: Db;
  now: Date;
  /** The body exactly as sent (signatures are over these bytes). */
  raw: Buffer;
}

/**
 * The edge of an alerting receiver: database, media type and size, error mapping (JSON, never
 * a 5xx for anything a sender can send) and metrics. `authenticate` finds the endpoint; the
 * endpoint's own rate limit follows, then the handler.
 */
export function withIntegration<P>(
  route: string,
  authenticate: (ctx: IntegrationRequest, request: Request, params: P) => Promise<IntegrationEndpoint>,
  handler: (ctx: IntegrationRequest & { endpoint: IntegrationEndpoint }, json: unknown) => Promise<Response>,
) {
  return inRequest(route, async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    const m = metrics();
    const stop = m.apiDuration.startTimer({ route });
    let response: Response;
    try {
      const db = await openEdgeDb();
      const at = now();
      const type = request.headers.get("content-type") ?? "";
      if (!/^application\/(.+\+)?json\b/i.test(type))
        throw new AppError("unsupported_media_type", "Send the notification as application/json.");
      if (Number(request.headers.get("content-length") ?? 0) > MAX_ALERT_BODY_BYTES) throw tooLarge();
      const raw = await requestBody(request);
      if (raw.length > MAX_ALERT_BODY_BYTES) throw tooLarge();
      const params = await context.params;
      assertStorableText(params, "path");
      const ctx = { db, now: at, raw };
      const endpoint = await authenticate(ctx, request, params);
      await enforceRateLimit(db, `integration:${endpoint.id}`, at, "This receiver");
      if (!endpoint.lastUsedAt || at.getTime() - endpoint.lastUsedAt.getTime() > 60_000)
        await touchEndpoint(db, endpoint.id, at);
      let json: unknown;
      try {
        json = JSON.parse(raw.toString("utf8"));
      } catch {
        throw new AppError("invalid_request", "The body is not valid JSON.");
      }
      assertStorableText(json, "body");
      response = await handler({ ...ctx, endpoint }, json);
    } catch (error) {
      response = errorResponse(error);
    }
    m.apiRequests.inc({ route, status: String(response.status) });
    stop();
    return response;
  });
}

function tooLarge(): AppError {
  return new AppError("payload_too_large", `The body exceeds ${MAX_ALERT_BODY_BYTES / 1024} KiB.`);
}

/** A link the gate may show: http(s) only, so a sender cannot plant a `javascript:` URL. */
export function safeLink(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 2000) return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : null;
  } catch {
    return null;
  }
}
