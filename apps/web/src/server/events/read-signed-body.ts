import "server-only";
import { eventBodySchema, type EventBody } from "@rollgate/core/contract/events";
import { decryptSecret } from "@rollgate/db/secrets";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { z } from "zod";
import { requestBody } from "../api/bodies";
import { assertStorableText, listPaths } from "../api/storable-text";
import type { ApiToken } from "@rollgate/db/queries/tokens";
import { env } from "../env";
import { AppError } from "../errors";

export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Reads and checks a CI webhook in the order a caller can act on: media type, size, the
 * Standard Webhooks signature (constant-time compare, five minutes' tolerance either way),
 * then JSON, text PostgreSQL can store (anywhere in the body, keys included) and the strict
 * event schema. Returns the delivery id and the parsed event.
 */
export async function readSignedEvent(
  request: Request,
  token: ApiToken,
): Promise<{ webhookId: string; body: EventBody }> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type))
    throw new AppError("unsupported_media_type", "Send the event as application/json.");
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const raw = await requestBody(request);
  if (raw.length > MAX_BODY_BYTES) throw tooLarge();
  const payload = raw.toString("utf8");

  const headers = verifySignature(request, token, payload);
  if (headers["webhook-id"].length > 200)
    throw new AppError("invalid_request", "webhook-id is longer than 200 characters.");

  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw new AppError("invalid_request", "The body is not valid JSON.");
  }
  assertStorableText(json);
  const parsed = eventBodySchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.flatMap(issueDetails).slice(0, 50);
    throw new AppError(
      "invalid_request",
      `The event does not match the schema (${listPaths(details)}); see details.`,
      details,
    );
  }
  return { webhookId: headers["webhook-id"], body: parsed.data };
}

/**
 * The Standard Webhooks signature of `payload` with the token's decrypted `whsec_` secret
 * (constant-time compare, five minutes' tolerance either way). Events and lease requests both
 * pass through here: the bearer token alone, if it leaks, cannot act.
 */
export function verifySignature(request: Request, token: ApiToken, payload: string) {
  const headers = {
    "webhook-id": request.headers.get("webhook-id") ?? "",
    "webhook-timestamp": request.headers.get("webhook-timestamp") ?? "",
    "webhook-signature": request.headers.get("webhook-signature") ?? "",
  };
  try {
    new Webhook(decryptSecret(token.secretCiphertext, env().secretKey)).verify(payload, headers, { jsonParse: false });
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    throw new AppError(
      "unauthenticated",
      `The signature does not verify (${error.message.toLowerCase()}); sign id.timestamp.body with the token's whsec_ secret, as for events.`,
    );
  }
  return headers;
}

type Issue = z.core.$ZodIssue;

/** One detail per wrong field; an unknown key is named in the path, so a typo is found at once. */
function issueDetails(issue: Issue): Array<{ path: string; message: string }> {
  const path = issue.path.join(".");
  if (issue.code === "unrecognized_keys")
    return issue.keys.map((key) => ({
      path: path ? `${path}.${key}` : key,
      message: `unknown field ${key}; see the Event schema in /api/v1/openapi.json`,
    }));
  return [{ path, message: issue.message }];
}

function tooLarge(): AppError {
  return new AppError("payload_too_large", `Events are limited to ${MAX_BODY_BYTES / 1024} KiB.`);
}
