import { API } from "@rollgate/core/contract/endpoints";
import { eligibilityJson } from "@rollgate/app/eligibility/eligibility-json";
import { reply, serve } from "@/server/api/serve";
import { eligibilityFromQuery } from "@/server/eligibility/eligibility-route";

export const dynamic = "force-dynamic";

// GET /api/v1/rollback-eligibility?service=&environment=&version= — is an app rollback data-safe?
export const GET = serve(API.eligibility, async (ctx) => {
  const report = await eligibilityFromQuery(ctx, API.eligibility);
  return reply(API.eligibility, 200, eligibilityJson(report));
});
