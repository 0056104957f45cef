import { withApiToken } from "@/server/api/with-api-token";
import { eligibilityFromQuery } from "@/server/eligibility/eligibility-route";
import { withArgoResult } from "@/server/integrations/argo-result";

export const dynamic = "force-dynamic";

const handler = withApiToken("argo_rollback", "gate:read", async (context, request) => {
  const report = await eligibilityFromQuery(context, request);
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
