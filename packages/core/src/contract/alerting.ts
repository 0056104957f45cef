import { z } from "zod";

// What alerting tools send to Rollgate's receivers, and what they answer. Not strict: these
// are other products' payloads, which gain fields over time; only what Rollgate reads is checked.

const labels = z.record(z.string(), z.string());

/** Alertmanager's webhook payload, version 4. */
export const alertmanagerPayloadSchema = z.object({
  version: z.string(),
  status: z.string().optional(),
  receiver: z.string().optional(),
  alerts: z
    .array(
      z.object({
        status: z.enum(["firing", "resolved"]),
        labels,
        annotations: labels.default({}),
        startsAt: z.string().optional(),
        endsAt: z.string().optional(),
        generatorURL: z.string().optional(),
        fingerprint: z.string().min(1).max(200),
      }),
    )
    .max(1000),
  externalURL: z.string().optional(),
});

/** A PagerDuty v3 webhook delivery: one event, about an incident or something else. */
export const pagerDutyDeliverySchema = z.object({
  event: z.object({
    id: z.string().min(1).max(200),
    event_type: z.string().min(1).max(100),
    resource_type: z.string().optional(),
    occurred_at: z.iso.datetime({ offset: true }),
    data: z
      .object({
        id: z.string().min(1).max(200),
        title: z.string().max(1000).optional(),
        number: z.number().optional(),
        html_url: z.string().optional(),
        urgency: z.string().optional(),
      })
      .nullable()
      .optional(),
  }),
});

export const alertSummarySchema = z.object({
  opened: z.number().int(),
  resolved: z.number().int(),
  /** Alerts for another service, or an environment this receiver does not cover, and resolves of another firing or from a narrower receiver: never applied. */
  ignored: z.number().int(),
});

export const pagerDutyResultSchema = z.object({
  action: z.enum(["opened", "resolved", "unchanged", "ignored"]),
  eventType: z.string(),
});
