import { argoGateResult } from "@rollgate/core/integrations/progressive-delivery";
import { z } from "zod";
import { parseQuery } from "@/server/api/query";
import { assertScope, withApiToken } from "@/server/api/with-api-token";
import { evaluateRolloutGate, gateJson, rolloutOr404 } from "@rollgate/app/gate/evaluate-rollout-gate";
import { withArgoResult } from "@/server/integrations/argo-result";

export const dynamic = "force-dynamic";

const query = z.object({ service: z.string().min(1), environment: z.string().min(1), release: z.string().min(1) });

const handler = withApiToken("argo_gate", "gate:read", async ({ db, token, now }, request) => {
  const parsed = parseQuery(request, query, "Give service, environment and release as query parameters.");
  assertScope(token, parsed.service, parsed.environment);
  const gate = gateJson(parsed, await evaluateRolloutGate(db, await rolloutOr404(db, parsed), now));
  return Response.json({ result: argoGateResult(gate), gate }, { headers: { "cache-control": "no-store" } });
});

// GET /api/v1/integrations/argo/gate?service=&environment=&release= — Argo Rollouts web metric: the contract gate
export const GET = async (request: Request, context: { params: Promise<Record<string, never>> }) =>
  withArgoResult(await handler(request, context));
