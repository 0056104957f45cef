import "server-only";
import { API } from "@rollgate/core/contract/endpoints";
import { listDataChecks } from "@rollgate/app/rollouts/list-data-checks";
import { assertScope, reply, serve } from "../api/serve";

/** GET /api/v1/rollouts/{service}/{environment}/{release}/data-checks — the checks `rollgate inspect` runs */
export const readDataChecks = serve(API.dataChecks, async ({ db, token, params: keys }) => {
  assertScope(token, keys.service, keys.environment);
  return reply(API.dataChecks, 200, await listDataChecks({ db, keys }), { "cache-control": "no-store" });
});
