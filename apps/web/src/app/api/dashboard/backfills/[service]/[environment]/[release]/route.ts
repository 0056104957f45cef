import { API } from "@rollgate/core/contract/endpoints";
import { getBackfillsView } from "@rollgate/app/backfills/backfill-view";
import { reply, serve } from "@/server/api/serve";
import { authorizeRead } from "@/server/auth/reading";
import { useCaseDeps } from "@/server/use-case-deps";

export const dynamic = "force-dynamic";

// GET /api/dashboard/backfills/{service}/{environment}/{release} — the backfill panel's live data, for a role on the service
export const GET = serve(API.dashboardBackfills, async ({ params }) => {
  const reader = await authorizeRead({ kind: "overview" });
  const body = await getBackfillsView(await useCaseDeps(), params, reader, (serviceId) =>
    authorizeRead({ kind: "rollout", serviceId }, reader),
  );
  return reply(API.dashboardBackfills, 200, body, { "cache-control": "no-store" });
});
