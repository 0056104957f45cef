import "server-only";
import { NOTIFICATION_EVENT_TYPES, type NotificationEvent } from "@rollgate/core/integrations/notifications";
import { checkDestination } from "@rollgate/worker/outbound";
import { listServices } from "@rollgate/db/queries/admin";
import { appendAudit } from "@rollgate/db/queries/audit";
import { serviceEnvironments } from "@rollgate/db/queries/integrations";
import {
  createSubscription,
  disableSubscription,
  listDeliveries,
  listSubscriptions,
  retryDeliveryNow,
} from "@rollgate/db/queries/notifications";
import { database } from "@rollgate/db/runtime";
import { encryptSecret, newSigningSecret } from "@rollgate/db/secrets";
import type { CurrentUser } from "../auth/current-user";
import { now } from "../clock";
import { adminAudit } from "./admin-audit";
import { env } from "../env";
import { AppError } from "../errors";

// Admin use cases for outbound notifications: subscriptions (Slack or signed webhooks),
// their deliveries, and "retry now".

const audit = (admin: CurrentUser, action: string, subjectId: string, data: Record<string, unknown>) =>
  adminAudit(admin, action, "notification_subscription", subjectId, data);

/** The address without path or query: a Slack webhook's path is its credential. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname.length > 1 ? `${u.origin}/…` : u.origin;
  } catch {
    return "(invalid URL)";
  }
}

export async function getNotificationsView() {
  const { db } = await database();
  const [subscriptions, deliveries, services] = await Promise.all([
    listSubscriptions(db),
    listDeliveries(db),
    listServices(db),
  ]);
  return { subscriptions: subscriptions.map((s) => ({ ...s, url: displayUrl(s.url) })), deliveries, services };
}

export async function createNotificationSubscription(
  admin: CurrentUser,
  params: { service: string; environment?: string; kind: "slack" | "webhook"; url: string; events: string[] },
) {
  const events = params.events.filter((e): e is NotificationEvent =>
    (NOTIFICATION_EVENT_TYPES as string[]).includes(e),
  );
  if (events.length === 0)
    throw new AppError("invalid_request", "Choose at least one event to send.", [
      { path: "events", message: "required" },
    ]);
  const url = new URL(params.url);
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new AppError("invalid_request", "The address must be http(s).", [{ path: "url", message: "http(s) only" }]);
  // Checked again at every delivery (the worker's socket lookup), against DNS rebinding.
  const check = await checkDestination(url.toString(), { allowPrivate: env().allowPrivateDestinations });
  if (!check.ok)
    throw new AppError(
      "invalid_request",
      `The address ${check.reason.replace(url.pathname, "/…")}; nothing was saved.`,
      [{ path: "url", message: "internal addresses are refused" }],
    );
  const { db } = await database();
  const service = (await listServices(db)).find((s) => s.slug === params.service);
  if (!service) throw new AppError("not_found", `There is no service ${params.service}.`);
  const secret = params.kind === "webhook" ? newSigningSecret() : null;
  const id = await db.transaction(async (tx) => {
    let environmentId: string | null = null;
    if (params.environment) {
      environmentId =
        (await serviceEnvironments(tx, service.id)).find((e) => e.name === params.environment)?.id ?? null;
      if (!environmentId)
        throw new AppError("not_found", `Service ${params.service} has no environment ${params.environment}.`);
    }
    const created = await createSubscription(tx, {
      serviceId: service.id,
      environmentId,
      kind: params.kind,
      url: url.toString(),
      secretCiphertext: secret ? encryptSecret(secret, env().secretKey) : null,
      eventTypes: events,
      createdBy: admin.email,
    });
    await appendAudit(
      tx,
      audit(admin, "notification.subscribed", created.id, {
        kind: params.kind,
        service: params.service,
        environment: params.environment ?? null,
        url: displayUrl(url.toString()),
        events,
      }),
    );
    return created.id;
  });
  return { id, secret };
}

export async function disableNotificationSubscription(admin: CurrentUser, id: string) {
  const { db } = await database();
  await db.transaction(async (tx) => {
    if (!(await disableSubscription(tx, id, now())))
      throw new AppError("not_found", "That subscription does not exist or is already disabled.");
    await appendAudit(tx, audit(admin, "notification.disabled", id, {}));
  });
}

export async function retryNotification(id: string) {
  const { db } = await database();
  if (!(await retryDeliveryNow(db, id, now())))
    throw new AppError("conflict", "That delivery was already delivered; there is nothing to retry.");
}
