import { findEndpointById } from "@rollgate/db/queries/integrations";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { checkPagerDutySignature, receivePagerDuty } from "@/server/integrations/receive-pagerduty";
import { withIntegration } from "@/server/integrations/with-integration";

export const dynamic = "force-dynamic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// POST /api/v1/integrations/pagerduty/{endpoint} — PagerDuty v3 webhook (X-PagerDuty-Signature)
export const POST = withIntegration<{ endpoint: string }>(
  "pagerduty",
  async ({ db, raw }, request, params) => {
    const endpoint = UUID.test(params.endpoint) ? await findEndpointById(db, params.endpoint, "pagerduty") : null;
    if (!endpoint) throw new AppError("unauthenticated", "No PagerDuty receiver has this address.");
    checkPagerDutySignature(endpoint, raw, request.headers.get("x-pagerduty-signature"), env().secretKey);
    return endpoint;
  },
  async ({ db, endpoint, now }, json) => Response.json(await receivePagerDuty({ db, endpoint, now, payload: json })),
);
