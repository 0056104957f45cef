import { NOTIFICATION_EVENT_TYPES, type NotificationEvent } from "@rollgate/core/integrations/notifications";
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
import type { Db } from "@rollgate/db/client";
import { encryptSecret, newSigningSecret } from "@rollgate/db/secrets";
import type { SignedInUser } from "../access/rollout-context";
import { AppError } from "../errors";
import { adminAudit, type AdminDeps } from "./manage";

// Admin use cases for outbound notifications: subscriptions (Slack or signed webhooks),
// their deliveries, and "retry now".

const audit = (at: Date, admin: SignedInUser, action: string, subjectId: string, data: Record<string, unknown>) =>
  adminAudit(at, admin, action, "notification_subscription", subjectId, data);

/** The address without path or query: a Slack webhook's path is its credential. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname.length > 1 ? `${u.origin}/…` : u.origin;
  } catch {
    return "(invalid URL)";
  }
}

export async function getNotificationsView(db: Db) {
  const [subscriptions, deliveries, services] = await Promise.all([
    listSubscriptions(db),
    listDeliveries(db),
    listServices(db),
  ]);
  return { subscriptions: subscriptions.map((s) => ({ ...s, url: displayUrl(s.url) })), deliveries, services };
}

export async function createNotificationSubscription(
  deps: AdminDeps,
  admin: SignedInUser,
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
  const check = await deps.checkDestination(url.toString());
  if (!check.ok)
    throw new AppError(
      "invalid_request",
      `The address ${check.reason.replace(url.pathname, "/…")}; nothing was saved.`,
      [{ path: "url", message: "internal addresses are refused" }],
    );
  const { db } = deps;
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
      secretCiphertext: secret ? encryptSecret(secret, deps.secretKey) : null,
      eventTypes: events,
      createdBy: admin.email,
    });
    await appendAudit(
      tx,
      audit(deps.now, admin, "notification.subscribed", created.id, {
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

export async function disableNotificationSubscription(deps: AdminDeps, admin: SignedInUser, id: string) {
  const { db } = deps;
  await db.transaction(async (tx) => {
    if (!(await disableSubscription(tx, id, deps.now)))
      throw new AppError("not_found", "That subscription does not exist or is already disabled.");
    await appendAudit(tx, audit(deps.now, admin, "notification.disabled", id, {}));
  });
}

export async function retryNotification(deps: { db: Db; now: Date }, id: string) {
  const { db } = deps;
  if (!(await retryDeliveryNow(db, id, deps.now)))
    throw new AppError("conflict", "That delivery was already delivered; there is nothing to retry.");
}
