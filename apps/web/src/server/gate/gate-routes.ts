import "server-only";
import { z } from "zod";
import { json, jsonText } from "../api/bodies";
import { parseQuery } from "../api/query";
import { assertScope, withApiToken } from "../api/with-api-token";
import { evaluateRolloutGate, gateJson, rolloutOr404 } from "@rollgate/app/gate/evaluate-rollout-gate";
import { processGateWaiters } from "./gate-waiters";

type Keys = { service: string; environment: string; release: string };

// The gate's two machine routes. Next.js serves them from `app/api/v1/rollouts/…/gate` in
// development; the standalone server answers them itself (`server/front/machine-routes.ts`).

/** GET /api/v1/rollouts/{service}/{environment}/{release}/gate — the verdict and every check */
export const readGate = withApiToken<Keys>("gate", "gate:read", async ({ db, token, now }, _request, keys) => {
  assertScope(token, keys.service, keys.environment);
  const row = await rolloutOr404(db, keys);
  return json(gateJson(keys, await evaluateRolloutGate(db, row, now)), {
    headers: { "cache-control": "no-store" },
  });
});

const waitQuery = z.object({ timeout: z.coerce.number().int().min(0).max(300).default(50) }).strict();

/** GET /api/v1/rollouts/{service}/{environment}/{release}/gate/wait?timeout=50 — the verdict once it differs from If-None-Match (long-poll) */
export const waitForGate = withApiToken<Keys>("gate_wait", "gate:read", async ({ token }, request, keys) => {
  assertScope(token, keys.service, keys.environment);
  const { timeout } = parseQuery(
    request,
    waitQuery,
    "timeout is the longest wait in whole seconds, 0 to 300 (default 50).",
  );
  const known = request.headers.get("if-none-match")?.trim() || null;
  const result = await (
    await processGateWaiters()
  ).wait({ keys, known, timeoutMs: timeout * 1000, signal: request.signal });
  const headers = { etag: result.changed ? result.snapshot.etag : result.etag, "cache-control": "no-store" };
  return result.changed ? jsonText(result.snapshot.text, { headers }) : new Response(null, { status: 304, headers });
});
