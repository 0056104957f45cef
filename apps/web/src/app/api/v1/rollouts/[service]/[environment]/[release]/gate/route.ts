import { assertScope, withApiToken } from "@/server/api/with-api-token";
import { evaluateRolloutGate, gateJson, rolloutOr404 } from "@/server/gate/evaluate-rollout-gate";

export const dynamic = "force-dynamic";
type Params = { service: string; environment: string; release: string };

// GET /api/v1/rollouts/{service}/{environment}/{release}/gate — the verdict and every check
export const GET = withApiToken<Params>("gate", "gate:read", async ({ db, token, now }, _request, keys) => {
  assertScope(token, keys.service, keys.environment);
  const row = await rolloutOr404(db, keys);
  return Response.json(gateJson(keys, await evaluateRolloutGate(db, row, now)), {
    headers: { "cache-control": "no-store" },
  });
});
