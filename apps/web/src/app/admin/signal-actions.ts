"use server";

import { asAdmin } from "@/server/admin/as-admin";
import { z } from "zod";
import type { ActionState } from "@/lib/action-state";
import { createReceiver, setPrometheusSecret, testSloQuery } from "@/server/admin/signals";

export async function testQueryAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = z
    .object({
      environmentId: z.uuid(),
      objective: z.enum(["availability", "errorBudgetRemaining", "burnRate", "latencyP99Ms"]),
    })
    .safeParse(Object.fromEntries(form));
  if (!input.success) return { error: "Choose an objective to test." };
  return asAdmin(null, async () => ({ done: await testSloQuery(input.data) }));
}

export async function prometheusSecretAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = z
    .object({ environmentId: z.uuid(), secret: z.string().min(1, "Paste the bearer token or password.").max(4000) })
    .safeParse(Object.fromEntries(form));
  if (!input.success) return { error: input.error.issues[0]?.message ?? "The form is incomplete." };
  return asAdmin("/admin/policies", async (admin) => {
    await setPrometheusSecret(admin, input.data);
    return { done: "Credential stored encrypted; the worker uses it from its next round." };
  });
}

export async function createReceiverAction(_s: ActionState, form: FormData): Promise<ActionState> {
  const input = z
    .object({
      service: z.string().min(1, "Choose a service."),
      environment: z.string().max(63).optional(),
      kind: z.enum(["alertmanager", "pagerduty"]),
      name: z.string().min(1, "Name the receiver.").max(100),
      secret: z.string().max(4000).optional(),
    })
    .safeParse(Object.fromEntries(form));
  if (!input.success) return { error: input.error.issues[0]?.message ?? "The form is incomplete." };
  const { service, environment, kind, name, secret } = input.data;
  return asAdmin("/admin/integrations", async (admin): Promise<ActionState> => {
    const created = await createReceiver(admin, {
      service,
      environment: environment || undefined,
      kind,
      name,
      pagerdutySecret: secret || undefined,
    });
    return kind === "alertmanager"
      ? {
          done: "Receiver created. Put the token in Alertmanager's http_config.authorization.credentials; it is shown once.",
          reveal: { url: "/api/v1/integrations/alertmanager", token: created.token! },
        }
      : {
          done: "Receiver created. Give PagerDuty this address for the webhook subscription.",
          reveal: { url: `/api/v1/integrations/pagerduty/${created.id}` },
        };
  });
}
