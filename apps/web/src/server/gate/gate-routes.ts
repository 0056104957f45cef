import "server-only";
import { API } from "@rollgate/core/contract/endpoints";
import { jsonText } from "../api/bodies";
import { parseQuery } from "../api/query";
import { assertScope, reply, serve } from "../api/serve";
import { evaluateRolloutGate, gateJson, rolloutOr404 } from "@rollgate/app/gate/evaluate-rollout-gate";
import { processGateWaiters } from "./gate-waiters";

// The gate's two machine routes. Next.js serves them from `app/api/v1/rollouts/…/gate` in
// development; the standalone server answers them itself (`server/front/machine-routes.ts`).

/** GET /api/v1/rollouts/{service}/{environment}/{release}/gate — the verdict and every check */
export const readGate = serve(API.gate, async ({ db, token, now, params: keys }) => {
  assertScope(token, keys.service, keys.environment);
  const row = await rolloutOr404(db, keys);
  return reply(API.gate, 200, gateJson(keys, await evaluateRolloutGate(db, row, now)), { "cache-control": "no-store" });
});

/** GET /api/v1/rollouts/{service}/{environment}/{release}/gate/wait?timeout=50 — the verdict once it differs from If-None-Match (long-poll) */
export const waitForGate = serve(API.gateWait, async ({ token, request, params: keys }) => {
  assertScope(token, keys.service, keys.environment);
  const { timeout } = parseQuery(
    request,
    API.gateWait.query,
    "timeout is the longest wait in whole seconds, 0 to 300 (default 50).",
  );
  const known = request.headers.get("if-none-match")?.trim() || null;
  const result = await (
    await processGateWaiters()
  ).wait({ keys, known, timeoutMs: timeout * 1000, signal: request.signal });
  const headers = { etag: result.changed ? result.snapshot.etag : result.etag, "cache-control": "no-store" };
  return result.changed ? jsonText(result.snapshot.text, { headers }) : new Response(null, { status: 304, headers });
});
