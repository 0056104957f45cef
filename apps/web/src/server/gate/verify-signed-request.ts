import "server-only";
import { decryptSecret } from "@rollgate/db/secrets";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { ApiToken } from "../api/with-api-token";
import { env } from "../env";
import { AppError } from "../errors";

/**
 * A request that changes the gate (taking a lease) is signed like a webhook: the bearer
 * token alone, if it leaks, cannot take a lease without the token's whsec_ secret.
 */
export async function verifySignedRequest(request: Request, token: ApiToken): Promise<string> {
  const payload = (await request.text()).slice(0, 64 * 1024);
  const headers = {
    "webhook-id": request.headers.get("webhook-id") ?? "",
    "webhook-timestamp": request.headers.get("webhook-timestamp") ?? "",
    "webhook-signature": request.headers.get("webhook-signature") ?? "",
  };
  try {
    new Webhook(decryptSecret(token.secretCiphertext, env().secretKey)).verify(payload, headers, { jsonParse: false });
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    throw new AppError("unauthenticated", `Sign the lease request like an event (webhook-id, webhook-timestamp, webhook-signature over id.timestamp.body with the token's whsec_ secret): ${error.message.toLowerCase()}.`);
  }
  return payload;
}
