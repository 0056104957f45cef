import { API } from "@rollgate/core/contract/endpoints";
import { reply, serve } from "@/server/api/serve";
import { authenticatePagerDuty, receivePagerDuty } from "@rollgate/app/integrations/receive-pagerduty";
import { env } from "@/server/env";
import { readReceiverRequest } from "@/server/integrations/receiver-request";

export const dynamic = "force-dynamic";

// POST /api/v1/integrations/pagerduty/{endpoint} — PagerDuty v3 webhook (X-PagerDuty-Signature)
export const POST = serve(API.pagerduty, async (ctx) => {
  const { db, now, request, params } = ctx;
  const { endpoint, json } = await readReceiverRequest(ctx, (raw) =>
    authenticatePagerDuty(db, params.endpoint, raw, request, env().secretKey),
  );
  return reply(API.pagerduty, 200, await receivePagerDuty({ db, endpoint, now, payload: json }));
});
