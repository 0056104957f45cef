import { findEndpointByToken } from "@rollgate/db/queries/integrations";
import { AppError } from "@/server/errors";
import { receiveAlertmanager } from "@/server/integrations/receive-alertmanager";
import { withIntegration } from "@/server/integrations/with-integration";

export const dynamic = "force-dynamic";

// POST /api/v1/integrations/alertmanager — Alertmanager webhook receiver (its own bearer token)
export const POST = withIntegration(
  "alertmanager",
  async ({ db }, request) => {
    const header = request.headers.get("authorization") ?? "";
    const bearer = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    const endpoint = bearer ? await findEndpointByToken(db, bearer) : null;
    if (!endpoint) throw new AppError("unauthenticated", "Send this receiver's token as `Authorization: Bearer <token>` (Alertmanager's http_config.authorization).", undefined, { "www-authenticate": "Bearer" });
    return endpoint;
  },
  async ({ db, endpoint, now }, json) => Response.json(await receiveAlertmanager({ db, endpoint, now, payload: json })),
);
