import { createHmac, timingSafeEqual } from "node:crypto";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import {
  claimIntegrationDelivery,
  closeExternalIncident,
  findEndpointById,
  openExternalIncident,
  serviceEnvironments,
  type IntegrationEndpoint,
} from "@rollgate/db/queries/integrations";
import { decryptSecret } from "@rollgate/db/secrets";
import { pagerDutyDeliverySchema } from "@rollgate/core/contract/alerting";
import { pagerDutyStale } from "@rollgate/core/integrations/pagerduty";
import { AppError } from "../errors";
import { safeLink } from "./safe-link";

/**
 * PagerDuty v3 signs the raw body: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 with the
 * subscription's secret>`, possibly several comma-separated (during a secret rotation). One
 * match, compared in constant time, is enough.
 */
export function verifyPagerDutySignature(raw: Buffer, header: string | null, secret: string): boolean {
  if (!header) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  return header
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v1="))
    .some((s) => {
      const given = Buffer.from(s.slice(3), "hex");
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

export function checkPagerDutySignature(
  endpoint: IntegrationEndpoint,
  raw: Buffer,
  header: string | null,
  secretKey: string,
): void {
  let secret: string;
  try {
    secret = decryptSecret(endpoint.secretCiphertext ?? "", secretKey);
  } catch {
    throw new AppError(
      "unauthenticated",
      "This receiver's signing secret cannot be read; set it again (admin, integrations).",
    );
  }
  if (!verifyPagerDutySignature(raw, header, secret))
    throw new AppError(
      "unauthenticated",
      "X-PagerDuty-Signature does not match the body signed with this receiver's secret.",
    );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The receiver at `/pagerduty/{endpointId}` whose secret (opened with `secretKey`) signed `raw`, or a 401. */
export async function authenticatePagerDuty(
  db: Db,
  endpointId: string,
  raw: Buffer,
  request: Request,
  secretKey: string,
): Promise<IntegrationEndpoint> {
  const endpoint = UUID.test(endpointId) ? await findEndpointById(db, endpointId, "pagerduty") : null;
  if (!endpoint) throw new AppError("unauthenticated", "No PagerDuty receiver has this address.");
  checkPagerDutySignature(endpoint, raw, request.headers.get("x-pagerduty-signature"), secretKey);
  return endpoint;
}

export type PagerDutyResult = { action: "opened" | "resolved" | "unchanged" | "ignored"; eventType: string };

/**
 * A signed PagerDuty v3 delivery: `incident.triggered` / `incident.reopened` open a no-go for
 * the receiver's service (its environment, or all of them), `incident.resolved` closes it;
 * other events are acknowledged and ignored. Refused, changing nothing: a stale `occurred_at`
 * (beyond the tolerance either way) and a replay (an event id this receiver has seen).
 */
export async function receivePagerDuty(options: {
  db: Db;
  endpoint: IntegrationEndpoint;
  now: Date;
  payload: unknown;
}): Promise<PagerDutyResult> {
  const parsed = pagerDutyDeliverySchema.safeParse(options.payload);
  if (!parsed.success)
    throw new AppError(
      "invalid_request",
      "This is not a PagerDuty v3 webhook payload.",
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  const { endpoint, now } = options;
  const event = parsed.data.event;
  const stale = pagerDutyStale(event.occurred_at, now);
  if (stale) throw new AppError("unauthenticated", stale);
  return options.db.transaction(async (tx) => {
    const open = event.event_type === "incident.triggered" || event.event_type === "incident.reopened";
    const close = event.event_type === "incident.resolved";
    const fresh = await claimIntegrationDelivery(tx, endpoint.id, event.id, now, event.event_type);
    if (!fresh)
      throw new AppError("conflict", `Event ${event.id} was delivered before: refused as a replay.`, {
        reason: "replay",
      });
    const incident = event.data;
    if ((!open && !close) || !incident || event.resource_type !== "incident")
      return { action: "ignored", eventType: event.event_type };
    const envs = (await serviceEnvironments(tx, endpoint.serviceId)).filter(
      (e) => !endpoint.environmentId || e.id === endpoint.environmentId,
    );
    const title = `PagerDuty #${incident.number ?? incident.id}: ${incident.title ?? "incident"}`;
    let changed = 0;
    for (const env of envs) {
      const did = open
        ? await openExternalIncident(tx, {
            environmentId: env.id,
            source: "pagerduty",
            key: incident.id,
            title,
            url: safeLink(incident.html_url),
            severity: incident.urgency?.slice(0, 40),
            endpointId: endpoint.id,
            at: now,
          })
        : await closeExternalIncident(tx, { environmentId: env.id, source: "pagerduty", key: incident.id, at: now });
      if (!did) continue;
      changed += 1;
      await appendAudit(tx, {
        at: now,
        actorType: "system",
        actorId: endpoint.id,
        action: open ? "incident.opened" : "incident.closed",
        subjectType: "environment",
        subjectId: env.id,
        data: { source: "pagerduty", receiver: endpoint.name, incident: incident.id, event: event.id },
      });
    }
    return { action: changed === 0 ? "unchanged" : open ? "opened" : "resolved", eventType: event.event_type };
  });
}
