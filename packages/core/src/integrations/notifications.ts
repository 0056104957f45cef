// Outbound notifications: the event types a subscription may choose, the payload every
// message carries, and the Slack Block Kit rendering. A message only links to the signed-in
// rollout page; it never carries a way to approve or act.

import { rolloutPath } from "../contract/rollout-path.ts";

export const NOTIFICATION_EVENTS = {
  "approval.requested": "Approval requested",
  "window.ending": "Rollback window ends within the hour",
  "window.ended": "Rollback window ended",
  "gate.open": "Gate open",
  "lease.taken": "Contract lease taken",
  "contract.succeeded": "Contract succeeded",
  "contract.failed": "Contract failed",
  "breakglass.used": "Break-glass used",
  "breakglass.awaiting_review": "Break-glass awaiting review",
  "nogo.raised": "No-go raised",
} as const;

export type NotificationEvent = keyof typeof NOTIFICATION_EVENTS;
export const NOTIFICATION_EVENT_TYPES = Object.keys(NOTIFICATION_EVENTS) as NotificationEvent[];

/** What is stored with a delivery and sent (as JSON `data`) to generic webhooks. */
export interface NotificationPayload {
  type: NotificationEvent;
  occurredAt: string;
  service: string;
  environment: string;
  release: string;
  /** One sentence: what happened, and who did it or who may act. */
  summary: string;
  /** Path of the rollout page, made absolute with the dashboard's URL when sent. */
  path: string;
  facts?: Record<string, string>;
}

export function notificationPayload(
  input: Omit<NotificationPayload, "path" | "occurredAt"> & { at: Date },
): NotificationPayload {
  const { at, ...rest } = input;
  return { ...rest, occurredAt: at.toISOString(), path: rolloutPath(input) };
}

/** Block Kit's limits (api.slack.com/reference/block-kit): the ones a message here can reach. */
export const BLOCK_KIT_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  buttonText: 75,
  buttonUrl: 3000,
  fallbackText: 3000,
} as const;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack's mrkdwn needs `&`, `<` and `>` escaped, or a service name could forge a link. */
function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes, then clips without cutting an entity in half. */
function mrkdwn(text: string, max: number): string {
  let out = escape(text);
  if (out.length > max) out = out.slice(0, max - 1).replace(/&[a-z]*$/, "") + "…";
  return out;
}

/** A Slack message for one event: header, summary, facts, a context line and one link button. */
export function slackMessage(payload: NotificationPayload, baseUrl: string) {
  const url = clip(new URL(payload.path, baseUrl).toString(), BLOCK_KIT_LIMITS.buttonUrl);
  const title = `${NOTIFICATION_EVENTS[payload.type]}: ${payload.service} → ${payload.environment}`;
  const facts = Object.entries(payload.facts ?? {}).slice(0, BLOCK_KIT_LIMITS.sectionFields);
  const blocks: Array<Record<string, unknown>> = [
    { type: "header", text: { type: "plain_text", text: clip(title, BLOCK_KIT_LIMITS.headerText), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: mrkdwn(payload.summary, BLOCK_KIT_LIMITS.sectionText) } },
  ];
  if (facts.length > 0)
    blocks.push({
      type: "section",
      fields: facts.map(([k, v]) => ({ type: "mrkdwn", text: mrkdwn(`*${k}*\n${v}`, BLOCK_KIT_LIMITS.fieldText) })),
    });
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: mrkdwn(`Release ${payload.release} · ${payload.occurredAt}`, BLOCK_KIT_LIMITS.contextText),
      },
    ],
  });
  blocks.push({
    type: "actions",
    elements: [
      {
        type: "button",
        text: { type: "plain_text", text: clip(`Open ${payload.release}`, BLOCK_KIT_LIMITS.buttonText) },
        url,
      },
    ],
  });
  return { text: clip(`${title}: ${payload.summary}`, BLOCK_KIT_LIMITS.fallbackText), blocks };
}
