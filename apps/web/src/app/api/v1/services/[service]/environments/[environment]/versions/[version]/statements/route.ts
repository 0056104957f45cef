import { API } from "@rollgate/core/contract/endpoints";
import { listObservedStatements } from "@rollgate/app/eligibility/list-observed-statements";
import { assertScope, reply, serve } from "@/server/api/serve";

export const dynamic = "force-dynamic";

// GET /api/v1/services/{service}/environments/{environment}/versions/{version}/statements —
// what Rollgate observed a version run, for `rollgate rehearse --version`.
export const GET = serve(API.observedStatements, async ({ db, token, params }) => {
  assertScope(token, params.service, params.environment);
  return reply(API.observedStatements, 200, await listObservedStatements({ db, params }), {
    "cache-control": "no-store",
  });
});
