import { API } from "@rollgate/core/contract/endpoints";
import { reply, serve } from "@/server/api/serve";
import { eligibilityFromQuery } from "@/server/eligibility/eligibility-route";
import { withArgoResult } from "@/server/integrations/argo-result";

export const dynamic = "force-dynamic";

// GET /api/v1/integrations/argo/rollback?service=&environment=&version= — Argo Rollouts web metric: is rolling back data-safe?
export const GET = serve(
  API.argoRollback,
  async (ctx) => {
    const report = await eligibilityFromQuery(ctx, API.argoRollback);
    const result = {
      verdict: report.verdict,
      version: report.targetVersion,
      current_version: report.currentVersion,
      reason: report.reasons.map((r) => r.message).join(" "),
    };
    return reply(API.argoRollback, 200, { result }, { "cache-control": "no-store" });
  },
  { finish: withArgoResult },
);
