import { authenticateAlertmanager, receiveAlertmanager } from "@/server/integrations/receive-alertmanager";
import { withIntegration } from "@/server/integrations/with-integration";

export const dynamic = "force-dynamic";

// POST /api/v1/integrations/alertmanager — Alertmanager webhook receiver (its own bearer token)
export const POST = withIntegration(
  "alertmanager",
  async ({ db }, request) => authenticateAlertmanager(db, request),
  async ({ db, endpoint, now }, json) => Response.json(await receiveAlertmanager({ db, endpoint, now, payload: json })),
);
