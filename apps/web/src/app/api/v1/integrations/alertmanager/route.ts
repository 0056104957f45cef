import { API } from "@rollgate/core/contract/endpoints";
import { reply, serve } from "@/server/api/serve";
import { authenticateAlertmanager, receiveAlertmanager } from "@rollgate/app/integrations/receive-alertmanager";
import { readReceiverRequest } from "@/server/integrations/receiver-request";

export const dynamic = "force-dynamic";

// POST /api/v1/integrations/alertmanager — Alertmanager webhook receiver (its own bearer token)
export const POST = serve(API.alertmanager, async (ctx) => {
  const { db, now, request } = ctx;
  const { endpoint, json } = await readReceiverRequest(ctx, () => authenticateAlertmanager(db, request));
  return reply(API.alertmanager, 200, await receiveAlertmanager({ db, endpoint, now, payload: json }));
});
