import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import {
  closeIncidentById,
  findEndpointByToken,
  findOpenExternalIncident,
  openExternalIncident,
  serviceEnvironments,
  setIncidentAlertStart,
  type IntegrationEndpoint,
} from "@rollgate/db/queries/integrations";
import { alertmanagerPayloadSchema } from "@rollgate/core/contract/alerting";
import { alertResolveDecision, alertStart, refreshedAlertStart } from "@rollgate/core/integrations/alertmanager";
import { AppError } from "../errors";
import { safeLink } from "./safe-link";

export interface AlertSummary {
  opened: number;
  resolved: number;
  /** Alerts for another service (or an environment this receiver does not cover), and resolves that do not match: never applied. */
  ignored: number;
}

/** The receiver whose own bearer token the request carries, or a 401. */
export async function authenticateAlertmanager(db: Db, request: Request): Promise<IntegrationEndpoint> {
  const header = request.headers.get("authorization") ?? "";
  const bearer = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
  const endpoint = bearer ? await findEndpointByToken(db, bearer) : null;
  if (!endpoint)
    throw new AppError(
      "unauthenticated",
      "Send this receiver's token as `Authorization: Bearer <token>` (Alertmanager's http_config.authorization).",
      undefined,
      { "www-authenticate": "Bearer" },
    );
  return endpoint;
}

/**
 * Firing alerts whose `service` label is the receiver's service become open incidents (one per
 * fingerprint and environment) that block contract; resolved ones close them. An alert with an
 * `environment` label applies to that environment only, one without to every environment the
 * receiver covers. An alert naming another service is ignored: A's alerts never block B. A resolve
 * closes an incident only for the same firing (fingerprint and `startsAt`) and from a receiver
 * covering at least what the opening one covered (core's `alertResolveDecision`); otherwise it
 * counts as ignored and the no-go stays.
 */
export async function receiveAlertmanager(options: {
  db: Db;
  endpoint: IntegrationEndpoint;
  now: Date;
  payload: unknown;
}): Promise<AlertSummary> {
  const parsed = alertmanagerPayloadSchema.safeParse(options.payload);
  if (!parsed.success)
    throw new AppError(
      "invalid_request",
      "This is not an Alertmanager webhook (version 4) payload.",
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  const { endpoint, now } = options;
  return options.db.transaction(async (tx) => {
    const envs = (await serviceEnvironments(tx, endpoint.serviceId)).filter(
      (e) => !endpoint.environmentId || e.id === endpoint.environmentId,
    );
    const summary: AlertSummary = { opened: 0, resolved: 0, ignored: 0 };
    for (const alert of parsed.data.alerts) {
      const named = alert.labels.environment;
      const targets =
        alert.labels.service === endpoint.serviceSlug
          ? envs.filter((e) => named === undefined || e.name === named)
          : [];
      if (targets.length === 0) {
        summary.ignored += 1;
        continue;
      }
      const name = alert.labels.alertname ?? "alert";
      const title = alert.annotations.summary ? `${name}: ${alert.annotations.summary}` : name;
      for (const env of targets) {
        const key = alert.fingerprint;
        let changed: boolean;
        if (alert.status === "firing") {
          changed = await openExternalIncident(tx, {
            environmentId: env.id,
            source: "alertmanager",
            key,
            title,
            url: safeLink(alert.generatorURL),
            severity: alert.labels.severity?.slice(0, 40),
            endpointId: endpoint.id,
            at: now,
            alertStartsAt: alertStart(alert.startsAt),
          });
          if (!changed) await refreshStart(tx, env.id, key, alert.startsAt);
        } else {
          const open = await findOpenExternalIncident(tx, { environmentId: env.id, source: "alertmanager", key });
          if (!open) continue;
          const decision = alertResolveDecision(open, {
            startsAt: alert.startsAt,
            receiverScope: endpoint.environmentId,
          });
          if (!decision.close) {
            // Another firing, or a receiver that covers less than the one that opened it: the no-go stays.
            summary.ignored += 1;
            continue;
          }
          changed = await closeIncidentById(tx, open.id, now);
        }
        if (!changed) continue;
        if (alert.status === "firing") summary.opened += 1;
        else summary.resolved += 1;
        await appendAudit(tx, {
          at: now,
          actorType: "system",
          actorId: endpoint.id,
          action: alert.status === "firing" ? "incident.opened" : "incident.closed",
          subjectType: "environment",
          subjectId: env.id,
          data: { source: "alertmanager", receiver: endpoint.name, alertname: name, fingerprint: key },
        });
      }
    }
    return summary;
  });
}

/** A repeated firing: a later start is a new firing that the open incident now stands for. */
async function refreshStart(tx: Db, environmentId: string, key: string, startsAt: string | undefined): Promise<void> {
  const open = await findOpenExternalIncident(tx, { environmentId, source: "alertmanager", key });
  if (!open) return;
  const start = refreshedAlertStart(open.alertStartsAt, startsAt);
  if (start?.getTime() !== open.alertStartsAt?.getTime()) await setIncidentAlertStart(tx, open.id, start);
}
