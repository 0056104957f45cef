import { API } from "@rollgate/core/contract/endpoints";
import { argoGateResult } from "@rollgate/core/integrations/progressive-delivery";
import { parseQuery } from "@/server/api/query";
import { assertScope, reply, serve } from "@/server/api/serve";
import { evaluateRolloutGate, gateJson, rolloutOr404 } from "@rollgate/app/gate/evaluate-rollout-gate";
import { withArgoResult } from "@/server/integrations/argo-result";

export const dynamic = "force-dynamic";

// GET /api/v1/integrations/argo/gate?service=&environment=&release= — Argo Rollouts web metric: the contract gate
export const GET = serve(
  API.argoGate,
  async ({ db, token, now, request }) => {
    const key = parseQuery(request, API.argoGate.query, "Give service, environment and release as query parameters.");
    assertScope(token, key.service, key.environment);
    const gate = gateJson(key, await evaluateRolloutGate(db, await rolloutOr404(db, key), now));
    return reply(API.argoGate, 200, { result: argoGateResult(gate), gate }, { "cache-control": "no-store" });
  },
  { finish: withArgoResult },
);
