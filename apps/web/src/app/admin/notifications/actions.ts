"use server";

import { asAdmin } from "@/server/admin/as-admin";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import {
  createNotificationSubscription,
  disableNotificationSubscription,
  retryNotification,
} from "@rollgate/app/admin/notifications";
import { adminDeps, useCaseDeps } from "@/server/use-case-deps";

const PATH = "/admin/notifications";

export async function subscribeAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = z
    .object({
      service: z.string().min(1, "Choose a service."),
      environment: z.string().max(63).optional(),
      kind: z.enum(["slack", "webhook"]),
      url: z.url({ protocol: /^https?$/, error: "Give the receiver's http(s) address." }).max(2000),
    })
    .safeParse(Object.fromEntries(form));
  if (!input.success) return { error: input.error.issues[0]?.message ?? "The form is incomplete." };
  const { service, environment, kind, url } = input.data;
  return asAdmin(PATH, async (admin): Promise<ActionState> => {
    const created = await createNotificationSubscription(await adminDeps(), admin, {
      service,
      environment: environment || undefined,
      kind,
      url,
      events: form.getAll("events").map(String),
    });
    return created.secret
      ? {
          done: "Subscription created. Verify deliveries with this Standard Webhooks secret; it is shown once.",
          reveal: { secret: created.secret },
        }
      : { done: "Subscription created. Slack messages link to the rollout page." };
  });
}

export async function disableSubscriptionAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const id = z.uuid().safeParse(form.get("id"));
  if (!id.success) return { error: "Unknown subscription." };
  return asAdmin(PATH, async (admin) => {
    await disableNotificationSubscription(await adminDeps(), admin, id.data);
    return { done: "Subscription disabled: no new deliveries are queued for it." };
  });
}

export async function retryDeliveryAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const id = z.uuid().safeParse(form.get("id"));
  if (!id.success) return { error: "Unknown delivery." };
  return asAdmin(PATH, async () => {
    await retryNotification(await useCaseDeps(), id.data);
    return { done: "The delivery is due now; the worker sends it within a second or two." };
  });
}
