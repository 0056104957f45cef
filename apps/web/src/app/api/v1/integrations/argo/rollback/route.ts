import { z } from "zod";
import { parseQuery } from "@/server/api/query";
import { assertScope, withApiToken } from "@/server/api/with-api-token";
import { checkEligibility } from "@/server/eligibility/check-eligibility";
import { withArgoResult } from "@/server/integrations/argo-result";

export const dynamic = "force-dynamic";

const query = z.object({
  service: z.string().min(1),
  environment: z.string().min(1),
  version: z.string().min(1).optional(),
});

const handler = withApiToken("argo_rollback", "gate:read", async ({ db, token }, request) => {
  const parsed = parseQuery(
    request,
    query,
    "Give service and environment (and optionally version) as query parameters.",
  );
  assertScope(token, parsed.service, parsed.environment);
  const report = await checkEligibility(db, parsed);
  const result = {
    verdict: report.verdict,
    version: report.targetVersion,
    current_version: report.currentVersion,
    reason: report.reasons.map((r) => r.message).join(" "),
  };
  return Response.json({ result }, { headers: { "cache-control": "no-store" } });
});

// GET /api/v1/integrations/argo/rollback?service=&environment=&version= — Argo Rollouts web metric: is rolling back data-safe?
export const GET = async (request: Request, context: { params: Promise<Record<string, never>> }) =>
  withArgoResult(await handler(request, context));
