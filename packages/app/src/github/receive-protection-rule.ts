import { GITHUB_WAIT_LIMIT_MS, githubRunOf } from "@rollgate/core/integrations/github";
import type { Db } from "@rollgate/db/client";
import {
  findEarlierGithubCallback,
  findGithubLink,
  getGithubApp,
  insertGithubCallback,
} from "@rollgate/db/queries/github";
import { Webhooks } from "@octokit/webhooks";
import { z } from "zod";
import { AppError } from "../errors";
import { assertStorableText } from "../storable-text";
import { readSettings, type GithubDeps } from "./github-settings";
import { CLAIM_MS, settleClaimedGithubCallbacks } from "./settle-pending-callbacks";

const MAX_BYTES = 1024 * 1024;

// The fields of GitHub's `deployment_protection_rule` event that Rollgate reads.
const ruleEvent = z.object({
  action: z.string(),
  environment: z.string().min(1),
  deployment_callback_url: z.url(),
  deployment: z
    .object({ id: z.number().int(), sha: z.string().nullish(), ref: z.string().nullish() })
    .partial()
    .nullish(),
  repository: z.object({ full_name: z.string().min(3) }),
  installation: z.object({ id: z.number().int().positive() }),
});

export type Received = { status: 200 | 202; body: Record<string, unknown> };

/**
 * `POST /api/v1/integrations/github`: verifies `X-Hub-Signature-256` with the App's webhook
 * secret (@octokit/webhooks), stores a `deployment_protection_rule` as a pending callback
 * (once per X-GitHub-Delivery, and once per deployment and workflow run, so a replayed body
 * under a new delivery id is the same callback), and answers it at once when the gate is
 * already decided.
 */
export async function receiveGithubWebhook(
  options: GithubDeps & {
    db: Db;
    request: Request;
    now: Date;
  },
): Promise<Received> {
  const { db, request, now } = options;
  const app = await getGithubApp(db);
  if (!app) throw new AppError("not_found", "No GitHub App is configured in Rollgate (admin → integrations).");
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BYTES)
    throw new AppError("payload_too_large", "A GitHub webhook is at most 1 MiB.");
  const signature = request.headers.get("x-hub-signature-256") ?? "";
  const settings = readSettings(app, options.secretKey);
  const valid =
    signature.startsWith("sha256=") &&
    (await new Webhooks({ secret: settings.webhookSecret }).verify(text, signature).catch(() => false));
  if (!valid)
    throw new AppError("unauthenticated", "X-Hub-Signature-256 does not verify with the GitHub App's webhook secret.");

  const event = request.headers.get("x-github-event") ?? "";
  if (event === "ping") return { status: 200, body: { ok: true } };
  if (event !== "deployment_protection_rule")
    return {
      status: 202,
      body: { ignored: `Rollgate does not act on ${event.slice(0, 100) || "events without X-GitHub-Event"}.` },
    };
  const deliveryId = request.headers.get("x-github-delivery") ?? "";
  if (!deliveryId || deliveryId.length > 200) throw new AppError("invalid_request", "X-GitHub-Delivery is missing.");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError("invalid_request", "The body is not JSON.");
  }
  assertStorableText(json, "body");
  const parsed = ruleEvent.safeParse(json);
  if (!parsed.success)
    throw new AppError(
      "invalid_request",
      "Not a deployment_protection_rule payload.",
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  const payload = parsed.data;
  if (payload.action !== "requested")
    return { status: 202, body: { ignored: `action ${payload.action.slice(0, 50)}` } };

  const link = await findGithubLink(db, payload.repository.full_name, payload.environment);
  const repository = payload.repository.full_name.toLowerCase();
  const run = githubRunOf({ deploymentId: payload.deployment?.id, callbackUrl: payload.deployment_callback_url });
  const stored = await insertGithubCallback(db, {
    deliveryId,
    installationId: payload.installation.id,
    repository,
    githubEnvironment: payload.environment,
    callbackUrl: payload.deployment_callback_url,
    deploymentId: payload.deployment?.id ?? null,
    runId: run?.runId ?? null,
    sha: payload.deployment?.sha ?? null,
    ref: payload.deployment?.ref ?? null,
    service: link?.service ?? null,
    environment: link?.environment ?? null,
    receivedAt: now,
    expiresAt: new Date(now.getTime() + GITHUB_WAIT_LIMIT_MS),
    // Claimed by this request, so a poller does not answer it at the same moment.
    nextAttemptAt: new Date(now.getTime() + CLAIM_MS),
  });
  if (!stored) {
    const before = await findEarlierGithubCallback(db, {
      deliveryId,
      repository,
      deploymentId: payload.deployment?.id ?? null,
      runId: run?.runId ?? null,
    });
    return { status: 202, body: { callback_id: before?.id ?? null, state: before?.state ?? null, duplicate: true } };
  }
  const [settled] = await settleClaimedGithubCallbacks(db, now, [stored], options);
  return { status: 202, body: { callback_id: stored.id, state: settled?.state ?? "pending", duplicate: false } };
}
