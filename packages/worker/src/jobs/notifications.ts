import { IncomingWebhook, type IncomingWebhookSendArguments } from "@slack/webhook";
import { redactSecrets } from "@rollgate/core/integrations/destination";
import { notificationPayload, slackMessage, type NotificationPayload } from "@rollgate/core/integrations/notifications";
import { evaluateRolloutGate } from "@rollgate/app/gate/evaluate-rollout-gate";
import { windowEndsAt } from "@rollgate/core/lifecycle";
import { parsePolicy } from "@rollgate/core/policy";
import {
  advanceCursor,
  approvalsNeededBetween,
  claimDueDeliveries,
  enqueueNotification,
  gateOpenCandidates,
  startedWindows,
  noGosOpenedBetween,
  overridesUnreviewedBetween,
  recordAttempt,
  type ClaimedDelivery,
  type StartedWindow,
  type WindowEdge,
} from "@rollgate/db/queries/notifications";
import { findRollout } from "@rollgate/db/queries/rollouts";
import { decryptSecret } from "@rollgate/db/secrets";
import { Webhook } from "standardwebhooks";
import type { JobContext } from "../context.ts";
import { describe } from "../record.ts";
import { outboundFetch } from "../outbound.ts";

const TIMEOUT_MS = 5000;
const HOUR = 3_600_000;

/** Milliseconds before attempt `attempts + 1`: base × 2^(attempts−1), capped, with up to 20 % jitter. */
export function retryDelayMs(baseMs: number, attempts: number, random: () => number = Math.random): number {
  const delay = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(delay * (1 + 0.2 * random()));
}

/**
 * Sends due deliveries, one attempt each: delivered, or retried with backoff, or failed after
 * `notificationMaxAttempts`. Sending happens outside any transaction; a claim keeps other
 * workers off a delivery for a minute, after which a lost attempt is retried.
 */
export async function deliverNotifications(ctx: JobContext): Promise<string> {
  const now = ctx.now();
  const claimed = await claimDueDeliveries(ctx.db, now, new Date(now.getTime() + 60_000));
  let delivered = 0;
  for (const d of claimed) {
    // A Slack address's path is its credential: it never appears in a delivery's error.
    const error = await send(ctx, d).then(
      () => null,
      (e: unknown) => redactSecrets(describe(e), [d.url, safePath(d.url)]),
    );
    const attempts = d.attempts + 1;
    if (error === null) {
      delivered += 1;
      await recordAttempt(ctx.db, d.id, { ok: true, at: ctx.now() });
    } else {
      const retryAt =
        attempts >= ctx.config.notificationMaxAttempts
          ? null
          : new Date(ctx.now().getTime() + retryDelayMs(ctx.config.notificationBackoffMs, attempts));
      await recordAttempt(ctx.db, d.id, { ok: false, error, retryAt });
    }
  }
  return `${claimed.length} due, ${delivered} delivered`;
}

function safePath(url: string): string | null {
  try {
    const path = new URL(url).pathname;
    return path.length > 1 ? path : null;
  } catch {
    return null;
  }
}

async function send(ctx: JobContext, d: ClaimedDelivery): Promise<void> {
  const payload = d.payload as unknown as NotificationPayload;
  // Internal addresses are refused when connecting, not only when the subscription was saved.
  const fetchImpl = ctx.fetch ?? outboundFetch({ allowPrivate: ctx.config.allowPrivateDestinations });
  if (d.kind === "slack") {
    // The library retries nothing by default here; our own backoff does.
    // Core builds plain objects (checked by `blockKitProblems`); Slack's types describe the same shape.
    await new IncomingWebhook(d.url, { timeout: TIMEOUT_MS, fetch: fetchImpl }).send(
      slackMessage(payload, ctx.config.publicUrl) as unknown as IncomingWebhookSendArguments,
    );
    return;
  }
  if (!d.secretCiphertext) throw new Error("the subscription has no signing secret");
  const secret = decryptSecret(d.secretCiphertext, ctx.secretKey);
  const body = JSON.stringify({
    type: payload.type,
    timestamp: payload.occurredAt,
    data: { ...payload, url: new URL(payload.path, ctx.config.publicUrl).toString() },
  });
  const sentAt = ctx.now();
  const signature = new Webhook(secret).sign(d.id, sentAt, body);
  const response = await fetchImpl(d.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": d.id,
      "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
      "webhook-signature": signature,
    },
    body,
    redirect: "error",
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the receiver answered HTTP ${response.status}`);
}

/**
 * Reports rollback windows that end within the hour and that ended, open gates, new no-gos,
 * approvals needed and overrides that ended unreviewed, once each: it looks at
 * the span since its last run (a cursor in the database), and the dedupe key is the rollout
 * and event, so an overlap or a second worker adds nothing.
 */
export async function watchWindows(ctx: JobContext): Promise<string> {
  const now = ctx.now();
  const since = await advanceCursor(ctx.db, "windows", now);
  let queued = 0;
  const windows = withEnds(await startedWindows(ctx.db));
  const report = async (type: "window.ending" | "window.ended", from: Date, to: Date) => {
    for (const w of windows.filter((x) => x.endsAt > from && x.endsAt <= to)) {
      const summary =
        type === "window.ended"
          ? `The rollback window ended at ${w.endsAt.toISOString()}; the contract may run once the gate's other checks pass.`
          : `The rollback window ends at ${w.endsAt.toISOString()}.`;
      queued += await queueAbout(ctx, w, now, { type, key: `${type}:${w.rolloutId}`, summary });
    }
  };
  await report("window.ended", since, now);
  await report("window.ending", new Date(since.getTime() + HOUR), new Date(now.getTime() + HOUR));
  queued += await reportOpenGates(ctx, now);
  // Incidents are inserted with the server's clock by transactions that may commit a little later: look back a few minutes (the dedupe key absorbs the overlap).
  for (const n of await noGosOpenedBetween(ctx.db, new Date(since.getTime() - 5 * 60_000), now)) {
    queued += await queueAbout(ctx, n, now, {
      type: "nogo.raised",
      key: `nogo.raised:${n.incidentId}:${n.rolloutId}`,
      summary: `No-go from ${n.source}: ${n.title}. The contract is blocked until it resolves.`,
    });
  }
  for (const a of await approvalsNeededBetween(ctx.db, new Date(since.getTime() - 5 * 60_000), now)) {
    const who =
      a.approvers.length > 0
        ? a.approvers.slice(0, 20).join(", ") + (a.approvers.length > 20 ? ` and ${a.approvers.length - 20} more` : "")
        : "nobody yet: grant a role in admin → Users";
    queued += await queueAbout(ctx, a, now, {
      type: "approval.requested",
      key: `approval.requested:${a.rolloutId}`,
      summary: `${a.required} approval(s) needed before the contract may run; approve on the rollout page, signed in.`,
      facts: { "May approve": who, Roles: a.allowedRoles.join(", "), Author: `${a.author} (may not approve)` },
    });
  }
  for (const o of await overridesUnreviewedBetween(ctx.db, since, now)) {
    const what = o.kind === "recovery" ? "recovery run" : `break-glass override of ${o.checks.join(", ")}`;
    queued += await queueAbout(ctx, o, now, {
      type: "breakglass.awaiting_review",
      key: `breakglass.awaiting_review:${o.overrideId}`,
      summary: `The ${what} by ${o.actor} ended at ${o.endsAt.toISOString()} and nobody has reviewed it: a release manager or admin of the service (not ${o.actor}, not the release's author) reviews it on the rollout page.`,
    });
  }
  return `${queued} notification(s) queued (window ending / ended, gate open, no-go, approval requested, override awaiting review)`;
}

/** `gate.open`, once per rollout and contract script: the gate evaluated by the use case the API and the lease answer with. */
async function reportOpenGates(ctx: JobContext, now: Date): Promise<number> {
  let queued = 0;
  for (const c of withEnds(await gateOpenCandidates(ctx.db)).filter((x) => x.endsAt <= now)) {
    const row = await findRollout(ctx.db, { service: c.service, environment: c.environment, release: c.release });
    if (!row) continue;
    const { verdict } = await evaluateRolloutGate(ctx.db, row, now);
    if (!verdict.allowed) continue;
    queued += await queueAbout(ctx, c, now, {
      type: "gate.open",
      key: `gate.open:${c.rolloutId}:${c.checksum}`,
      summary: "Every gate check passes: the contract may take its lease.",
    });
  }
  return queued;
}

/** Each window with its end as core works it out from the environment's policy (one that does not parse is skipped). */
function withEnds<W extends StartedWindow>(windows: readonly W[]): Array<W & { endsAt: Date }> {
  return windows.flatMap((w) => {
    const parsed = parsePolicy(w.policy);
    const endsAt = parsed.ok ? windowEndsAt(w.startedAt, parsed.policy) : null;
    return endsAt ? [{ ...w, endsAt }] : [];
  });
}

/** Queues one notification about a rollout a watcher found, once per subscription and `key`. */
async function queueAbout(
  ctx: JobContext,
  edge: WindowEdge,
  now: Date,
  notice: { type: NotificationPayload["type"]; key: string; summary: string; facts?: Record<string, string> },
): Promise<number> {
  const { key, ...content } = notice;
  const payload = notificationPayload({
    ...content,
    service: edge.service,
    environment: edge.environment,
    release: edge.release,
    at: now,
  });
  return enqueueNotification(ctx.db, {
    serviceId: edge.serviceId,
    environmentId: edge.environmentId,
    type: notice.type,
    key,
    now,
    payload: payload as unknown as Record<string, unknown>,
  });
}
