import { settlePendingGithubCallbacks } from "@rollgate/app/github/settle-pending-callbacks";
import { log } from "@rollgate/log";
import type { JobContext } from "../context.ts";
import { githubAnswer } from "../github-app.ts";
import { describe } from "../record.ts";

/**
 * Re-checks the pending GitHub protection rules that are due, every ROLLGATE_GITHUB_POLL_SECONDS
 * (graphile-worker on PostgreSQL, one run at a time across replicas; the in-process loop on
 * PGlite). Pending callbacks live in the database, so a restart loses none, and callbacks are
 * claimed with SKIP LOCKED, so the webhook and the job never answer one rule twice.
 */
export async function githubPoll(ctx: JobContext): Promise<string> {
  const settled = await settlePendingGithubCallbacks(ctx.db, ctx.now(), {
    secretKey: ctx.secretKey,
    answer: githubAnswer({ allowPrivate: ctx.config.allowPrivateDestinations }),
    pollMs: ctx.config.githubPollSeconds * 1000,
    logError: (context, error) => log().error({ error: describe(error) }, context),
  });
  return `${settled.length} protection rule(s) due, ${settled.filter((s) => s.state !== "pending").length} answered`;
}
