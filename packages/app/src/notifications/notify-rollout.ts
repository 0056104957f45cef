import { notificationPayload, type NotificationEvent } from "@rollgate/core/integrations/notifications";
import type { Db } from "@rollgate/db/client";
import { enqueueNotification } from "@rollgate/db/queries/notifications";
import type { RolloutKeys, RolloutRow } from "@rollgate/db/queries/rollouts";

/**
 * Queues a notification about one rollout in the caller's transaction: it is sent (by the
 * `deliver_notifications` job) only if the change commits, and never delays the request.
 * `key` names the occurrence (a lease id, an override id), so a repeat is sent once.
 */
export async function notifyRollout(
  tx: Db,
  options: {
    row: RolloutRow;
    keys: RolloutKeys;
    type: NotificationEvent;
    key: string;
    summary: string;
    now: Date;
    facts?: Record<string, string>;
  },
): Promise<void> {
  const { row, keys, type, now } = options;
  const payload = notificationPayload({
    type,
    service: keys.service,
    environment: keys.environment,
    release: keys.release,
    summary: options.summary,
    at: now,
    ...(options.facts ? { facts: options.facts } : {}),
  });
  await enqueueNotification(tx, {
    serviceId: row.serviceId,
    environmentId: row.rollout.environmentId,
    type,
    key: `${type}:${options.key}`,
    payload: payload as unknown as Record<string, unknown>,
    now,
  });
}
