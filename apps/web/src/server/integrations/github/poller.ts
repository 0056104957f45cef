import "server-only";
import { database } from "@rollgate/db/runtime";
import { now } from "../../clock";
import { env } from "../../env";
import { logError } from "../../errors";
import { settlePendingGithubCallbacks } from "./settle-pending-callbacks";

// Re-checks pending GitHub protection rules every ROLLGATE_GITHUB_POLL_SECONDS, in the web
// server's own process (started by instrumentation.ts). Pending callbacks live in the
// database, so a restart loses none, and replicas claim rows with SKIP LOCKED, so several
// pollers never answer one rule twice. To become a graphile-worker job once the worker lands.

const KEY = Symbol.for("rollgate.github-poller");

export const githubPollMs = () => env().ROLLGATE_GITHUB_POLL_SECONDS * 1000;

export function startGithubPoller(): void {
  const holder = globalThis as Record<symbol, NodeJS.Timeout | undefined>;
  if (holder[KEY]) return;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    database()
      .then(({ db }) => settlePendingGithubCallbacks(db, now(), { pollMs: githubPollMs() }))
      .catch((error: unknown) => logError("the GitHub protection-rule poller failed", error))
      .finally(() => (running = false));
  }, githubPollMs());
  timer.unref();
  holder[KEY] = timer;
}
