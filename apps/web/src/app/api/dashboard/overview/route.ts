import { API } from "@rollgate/core/contract/endpoints";
import { reply, serve } from "@/server/api/serve";
import { authorizeRead } from "@/server/auth/reading";
import { getOverview } from "@rollgate/app/overview/get-overview";
import { currentUser } from "@/server/auth/current-user";
import { useCaseDeps } from "@/server/use-case-deps";

export const dynamic = "force-dynamic";

// GET /api/dashboard/overview — the overview's live data: signed in, or anyone on a public wallboard
export const GET = serve(API.dashboardOverview, async () => {
  await authorizeRead({ kind: "overview" });
  return reply(API.dashboardOverview, 200, await getOverview(await useCaseDeps(), await currentUser()), {
    "cache-control": "no-store",
  });
});
