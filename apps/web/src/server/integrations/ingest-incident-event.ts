import "server-only";
import { randomUUID } from "node:crypto";
import type { IncidentEventBody } from "@rollgate/core/contract/events";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import { claimDelivery, findDelivery } from "@rollgate/db/queries/deliveries";
import { closeExternalIncident, openExternalIncident } from "@rollgate/db/queries/integrations";
import { findEnvironment } from "@rollgate/db/queries/rollouts";
import type { ApiToken } from "../api/with-api-token";
import { AppError } from "../errors";

/**
 * `incident.opened` / `incident.resolved` from any incident tool through the CI API: an open
 * incident (keyed by `data.key`) is a no-go for the environment's contracts until resolved.
 * Exactly once per webhook-id, like every event; opening an open key or resolving a closed
 * one changes nothing.
 */
export async function ingestIncidentEvent(options: {
  db: Db;
  token: ApiToken;
  now: Date;
  webhookId: string;
  body: IncidentEventBody;
}): Promise<{ outcome: "accepted"; eventId: string; duplicate: boolean }> {
  const { token, now, webhookId, body } = options;
  return options.db.transaction(async (tx) => {
    const eventId = randomUUID();
    const deliveryId = await claimDelivery(tx, token.id, webhookId, body.type, eventId);
    if (!deliveryId) {
      const first = await findDelivery(tx, token.id, webhookId);
      if (first?.status === "accepted" && first.eventId)
        return { outcome: "accepted", eventId: first.eventId, duplicate: true };
      throw new AppError("conflict", `Delivery ${webhookId} was refused before; send a new webhook-id.`);
    }
    const env = await findEnvironment(tx, body.service, body.environment);
    if (!env) throw new AppError("not_found", `Service ${body.service} has no environment ${body.environment}.`);
    const key = body.data.key;
    const changed =
      body.type === "incident.opened"
        ? await openExternalIncident(tx, {
            environmentId: env.environmentId,
            source: "event",
            key,
            title: body.data.title,
            url: body.data.url ?? null,
            severity: body.data.severity,
            endpointId: null,
            at: now,
          })
        : await closeExternalIncident(tx, { environmentId: env.environmentId, source: "event", key, at: now });
    if (changed)
      await appendAudit(tx, {
        at: now,
        actorType: "token",
        actorId: token.id,
        action: body.type === "incident.opened" ? "incident.opened" : "incident.closed",
        subjectType: "environment",
        subjectId: env.environmentId,
        data: {
          source: "event",
          key,
          webhookId,
          ...(body.type === "incident.opened" ? { title: body.data.title } : {}),
        },
      });
    return { outcome: "accepted", eventId, duplicate: false };
  });
}
