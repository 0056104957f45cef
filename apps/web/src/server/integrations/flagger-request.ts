import "server-only";
import { AppError } from "../errors";

const MAX_BYTES = 64 * 1024;

/**
 * Flagger's webhooks cannot set headers, so the API token may come in `metadata.token`
 * (docs/integrations/delivery.md says where to keep it). It is moved to `Authorization` before the
 * ordinary token check runs; a header, when present, wins.
 */
export async function withMetadataToken(request: Request): Promise<Request> {
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BYTES)
    throw new AppError("payload_too_large", `A Flagger webhook body is at most ${MAX_BYTES} bytes.`);
  const headers = new Headers(request.headers);
  if (!headers.has("authorization")) {
    let token: unknown;
    try {
      token = (JSON.parse(text) as { metadata?: { token?: unknown } })?.metadata?.token;
    } catch {
      token = undefined;
    }
    if (typeof token === "string" && token) headers.set("authorization", `Bearer ${token}`);
  }
  return new Request(request.url, { method: request.method, headers, body: text });
}
