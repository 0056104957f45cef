import { z } from "zod";
import { assertScope, withApiToken } from "@/server/api/with-api-token";
import { AppError } from "@/server/errors";
import { processGateWaiters } from "@/server/gate/gate-waiters";

export const dynamic = "force-dynamic";
type Params = { service: string; environment: string; release: string };

const query = z.object({ timeout: z.coerce.number().int().min(0).max(300).default(50) }).strict();

// GET /api/v1/rollouts/{service}/{environment}/{release}/gate/wait?timeout=50 — the verdict once it differs from If-None-Match (long-poll)
export const GET = withApiToken<Params>("gate_wait", "gate:read", async ({ token }, request, keys) => {
  assertScope(token, keys.service, keys.environment);
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success)
    throw new AppError(
      "invalid_request",
      "timeout is the longest wait in whole seconds, 0 to 300 (default 50).",
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  const known = request.headers.get("if-none-match")?.trim() || null;
  const result = await (
    await processGateWaiters()
  ).wait({ keys, known, timeoutMs: parsed.data.timeout * 1000, signal: request.signal });
  const headers = { etag: result.changed ? result.snapshot.etag : result.etag, "cache-control": "no-store" };
  return result.changed
    ? new Response(result.snapshot.text, { headers: { ...headers, "content-type": "application/json" } })
    : new Response(null, { status: 304, headers });
});
