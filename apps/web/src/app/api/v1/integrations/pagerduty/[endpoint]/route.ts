import { authenticatePagerDuty, receivePagerDuty } from "@/server/integrations/receive-pagerduty";
import { withIntegration } from "@/server/integrations/with-integration";

export const dynamic = "force-dynamic";

// POST /api/v1/integrations/pagerduty/{endpoint} — PagerDuty v3 webhook (X-PagerDuty-Signature)
export const POST = withIntegration<{ endpoint: string }>(
  "pagerduty",
  async ({ db, raw }, request, params) => authenticatePagerDuty(db, params.endpoint, raw, request),
  async ({ db, endpoint, now }, json) => Response.json(await receivePagerDuty({ db, endpoint, now, payload: json })),
);
