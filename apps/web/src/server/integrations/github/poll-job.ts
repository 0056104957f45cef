import "server-only";
import type { JobDefinition } from "@rollgate/worker";
import { env } from "../../env";
import { settlePendingGithubCallbacks } from "./settle-pending-callbacks";

export const githubPollMs = () => env().ROLLGATE_GITHUB_POLL_SECONDS * 1000;

/**
 * Re-checks the pending GitHub protection rules that are due, every ROLLGATE_GITHUB_POLL_SECONDS:
 * a background job the web server's worker runs (graphile-worker on PostgreSQL, one run at a
 * time across replicas; the in-process loop on PGlite). Pending callbacks live in the database,
 * so a restart loses none, and callbacks are claimed with SKIP LOCKED, so the webhook and the
 * job never answer one rule twice. It runs in the web server even with ROLLGATE_WORKER=0, as it
 * needs the server's gate evaluation.
 */
export const githubPollJob: JobDefinition = {
  name: "github_poll",
  cron: null,
  everySeconds: () => env().ROLLGATE_GITHUB_POLL_SECONDS,
  run: async (ctx) => {
    const settled = await settlePendingGithubCallbacks(ctx.db, ctx.now(), { pollMs: githubPollMs() });
    return `${settled.length} protection rule(s) due, ${settled.filter((s) => s.state !== "pending").length} answered`;
  },
};
