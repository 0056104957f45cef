import "server-only";

// The machine route of a backfill: what `rollgate backfill` asks before every batch. The
// standalone front answers it itself (`server/front/machine-routes.ts`), so nothing here may
// import the session's modules (next-auth), which the front's bundle does not carry.
import { API } from "@rollgate/core/contract/endpoints";
import { backfillControl } from "@rollgate/app/backfills/control-backfill";
import { assertScope, reply, serve } from "../api/serve";

/** GET /api/v1/rollouts/{service}/{environment}/{release}/backfills/{backfill_id} — what the dashboard asked of a backfill (the CLI, before every batch) */
export const readBackfillControl = serve(API.backfillControl, async ({ db, token, params }) => {
  const { backfill_id: backfillId, ...keys } = params;
  assertScope(token, keys.service, keys.environment);
  const { answer } = await backfillControl({ db }, keys, backfillId);
  return reply(API.backfillControl, 200, answer, { "cache-control": "no-store" });
});
