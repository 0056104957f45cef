import { API } from "@rollgate/core/contract/endpoints";
import { rolloutNotFoundMessage } from "@rollgate/core/contract/rollout-key";
import { reply, serve } from "@/server/api/serve";
import { authorizeRead } from "@/server/auth/reading";
import { AppError } from "@/server/errors";
import { dashboardGate } from "@/server/gate/dashboard-gate";

export const dynamic = "force-dynamic";

// GET /api/dashboard/gate/{service}/{environment}/{release} — the gate panel's live data, for a role on the service
export const GET = serve(API.dashboardGate, async ({ params }) => {
  const reader = await authorizeRead({ kind: "overview" });
  const body = await dashboardGate(params, (serviceId) => authorizeRead({ kind: "rollout", serviceId }, reader));
  if (!body) throw new AppError("not_found", rolloutNotFoundMessage(params));
  return reply(API.dashboardGate, 200, body, { "cache-control": "no-store" });
});
