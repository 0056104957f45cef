import { decideGithubRule, githubRunOf, releasesOfCommit } from "@rollgate/core/integrations/github";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import {
  claimDueGithubCallbacks,
  getGithubApp,
  releasesRecordingCommit,
  updateGithubCallback,
  type GithubCallbackRow,
} from "@rollgate/db/queries/github";
import { findRollout } from "@rollgate/db/queries/rollouts";
import { evaluateRolloutGate, gateJson } from "../gate/evaluate-rollout-gate";
import { GithubAnswerError, readSettings, type Answer, type GithubDeps, type GithubSettings } from "./github-settings";

/** How long a claimed callback is left to its claimant before another replica may take it. */
export const CLAIM_MS = 60_000;

/**
 * Answers the GitHub protection rules that are due: each pending callback's gate is
 * evaluated again; an open gate is approved, a failing one rejected (with the failing
 * checks), an undecided one waits for the next round. Runs after each webhook for its own
 * callback, and from the worker's `github_poll` job for the rest; a failed answer is
 * retried with backoff. Returns what it answered, for logs and tests.
 */
export async function settlePendingGithubCallbacks(
  db: Db,
  now: Date,
  deps: GithubDeps & { ids?: string[] },
): Promise<Array<{ id: string; state: string }>> {
  if (!(await getGithubApp(db))) return [];
  return settleClaimedGithubCallbacks(
    db,
    now,
    await claimDueGithubCallbacks(db, now, { ids: deps.ids, claimMs: CLAIM_MS }),
    deps,
  );
}

/** Settles callbacks this process has claimed (by `claimDueGithubCallbacks`, or by inserting them claimed). */
export async function settleClaimedGithubCallbacks(
  db: Db,
  now: Date,
  claimed: GithubCallbackRow[],
  deps: GithubDeps,
): Promise<Array<{ id: string; state: string }>> {
  const row = await getGithubApp(db);
  if (!row || claimed.length === 0) return [];
  const settings = readSettings(row, deps.secretKey);
  const settled: Array<{ id: string; state: string }> = [];
  for (const callback of claimed) {
    try {
      settled.push({
        id: callback.id,
        state: await settleOne(db, now, settings, callback, deps.answer, deps.pollMs),
      });
    } catch (error) {
      deps.logError("could not settle a GitHub protection rule", error);
    }
  }
  return settled;
}

async function settleOne(
  db: Db,
  now: Date,
  settings: GithubSettings,
  callback: GithubCallbackRow,
  answer: Answer,
  pollMs: number,
): Promise<string> {
  const matched = await releasesOf(db, callback);
  const decided = decideGithubRule({
    link:
      callback.service && callback.environment
        ? { service: callback.service, environment: callback.environment }
        : null,
    run: githubRunOf(callback),
    sha: callback.sha,
    matched,
    rollout: matched.length === 1 ? await gateOf(db, callback, matched[0]!, now) : null,
    repository: callback.repository,
    githubEnvironment: callback.githubEnvironment,
    receivedAt: callback.receivedAt,
    now,
  });
  if (decided.decision === "pending") {
    await updateGithubCallback(db, callback.id, {
      comment: decided.comment,
      nextAttemptAt: new Date(now.getTime() + pollMs),
    });
    return "pending";
  }
  try {
    await answer(settings, {
      installationId: callback.installationId,
      callbackUrl: callback.callbackUrl,
      environmentName: callback.githubEnvironment,
      state: decided.decision,
      comment: decided.comment,
    });
  } catch (error) {
    const retry = !(error instanceof GithubAnswerError) || error.retry;
    const attempts = callback.attempts + 1;
    const backoff = Math.min(15 * 60_000, 5_000 * 2 ** Math.min(attempts, 10));
    const expired = now.getTime() >= callback.expiresAt.getTime();
    await updateGithubCallback(db, callback.id, {
      attempts,
      lastError: (error as Error).message.slice(0, 500),
      decision: decided.decision,
      comment: decided.comment,
      ...(retry && !expired ? { nextAttemptAt: new Date(now.getTime() + backoff) } : { state: "failed" }),
    });
    return retry && !expired ? "pending" : "failed";
  }
  await db.transaction(async (tx) => {
    await updateGithubCallback(tx, callback.id, {
      state: decided.decision,
      decision: decided.decision,
      comment: decided.comment,
      answeredAt: now,
      lastError: null,
    });
    await appendAudit(tx, {
      at: now,
      actorType: "system",
      actorId: "github-app",
      action: `github.deployment_${decided.decision}`,
      subjectType: "github_deployment",
      subjectId: callback.id,
      data: {
        repository: callback.repository,
        environment: callback.githubEnvironment,
        deploymentId: callback.deploymentId,
        rollout: callback.service ? `${callback.service}/${callback.environment}/${callback.release ?? "?"}` : null,
        comment: decided.comment,
      },
    });
  });
  return decided.decision;
}

/** The releases of the linked environment that recorded the deployment's commit sha (read again on
 * every round, so a callback stored before this rule, matched by a ref name, is not approved by it). */
async function releasesOf(db: Db, callback: GithubCallbackRow): Promise<string[]> {
  const sha = callback.sha?.toLowerCase();
  if (!callback.service || !callback.environment || !sha) return [];
  const where = { service: callback.service, environment: callback.environment };
  return releasesOfCommit(sha, await releasesRecordingCommit(db, where, sha));
}

/** The gate of the release the deployment's commit sha names (recorded on the callback once found). */
async function gateOf(db: Db, callback: GithubCallbackRow, release: string, now: Date) {
  if (!callback.service || !callback.environment) return null;
  const keys = { service: callback.service, environment: callback.environment, release };
  const row = await findRollout(db, keys);
  if (!row) return null;
  const gate = gateJson(keys, await evaluateRolloutGate(db, row, now));
  if (callback.release !== release) await updateGithubCallback(db, callback.id, { release });
  return { release, gate };
}
