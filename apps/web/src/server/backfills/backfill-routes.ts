import "server-only";
import { API } from "@rollgate/core/contract/endpoints";
import { backfillControl } from "@rollgate/app/backfills/control-backfill";
import { getBackfillsView } from "@rollgate/app/backfills/backfill-view";
import { assertScope, reply, serve } from "../api/serve";
import { authorizeRead } from "../auth/reading";
import { useCaseDeps } from "../use-case-deps";

/** GET /api/v1/rollouts/{service}/{environment}/{release}/backfills/{backfill_id} — what the dashboard asked of a backfill (the CLI, before every batch) */
export const readBackfillControl = serve(API.backfillControl, async ({ db, token, params }) => {
  const { backfill_id: backfillId, ...keys } = params;
  assertScope(token, keys.service, keys.environment);
  const { answer } = await backfillControl({ db }, keys, backfillId);
  return reply(API.backfillControl, 200, answer, { "cache-control": "no-store" });
});

/** GET /api/dashboard/backfills/{service}/{environment}/{release} — the backfill panel's live data, for a role on the service */
export const readDashboardBackfills = serve(API.dashboardBackfills, async ({ params }) => {
  const reader = await authorizeRead({ kind: "overview" });
  const body = await getBackfillsView(await useCaseDeps(), params, reader, (serviceId) =>
    authorizeRead({ kind: "rollout", serviceId }, reader),
  );
  return reply(API.dashboardBackfills, 200, body, { "cache-control": "no-store" });
});
