import "server-only";
import type { Db } from "@rollgate/db/client";
import { touchEndpoint, type IntegrationEndpoint } from "@rollgate/db/queries/integrations";
import { requestBody } from "../api/bodies";
import { assertStorableText } from "../api/storable-text";
import { AppError } from "../errors";

export const MAX_ALERT_BODY_BYTES = 1024 * 1024;

/**
 * An alerting receiver's request (the route's edge, `serve`, has opened the database and
 * counted it against the sender's rate limit): media type and size, then `authenticate` finds
 * the endpoint from the body exactly as sent (signatures are over these bytes), then the body
 * as JSON with text PostgreSQL can store.
 */
export async function readReceiverRequest(
  ctx: { db: Db; now: Date; request: Request },
  authenticate: (raw: Buffer) => Promise<IntegrationEndpoint>,
): Promise<{ endpoint: IntegrationEndpoint; json: unknown }> {
  const { db, now, request } = ctx;
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type))
    throw new AppError("unsupported_media_type", "Send the notification as application/json.");
  if (Number(request.headers.get("content-length") ?? 0) > MAX_ALERT_BODY_BYTES) throw tooLarge();
  const raw = await requestBody(request);
  if (raw.length > MAX_ALERT_BODY_BYTES) throw tooLarge();
  const endpoint = await authenticate(raw);
  if (!endpoint.lastUsedAt || now.getTime() - endpoint.lastUsedAt.getTime() > 60_000)
    await touchEndpoint(db, endpoint.id, now);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new AppError("invalid_request", "The body is not valid JSON.");
  }
  assertStorableText(json, "body");
  return { endpoint, json };
}

function tooLarge(): AppError {
  return new AppError("payload_too_large", `The body exceeds ${MAX_ALERT_BODY_BYTES / 1024} KiB.`);
}
