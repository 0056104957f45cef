import type { JobDefinition } from "./definition.ts";
import { githubPoll } from "./github-poll.ts";
import { expireLeases, prune } from "./maintenance.ts";
import { deliverNotifications, watchWindows } from "./notifications.ts";
import { sampleSlos } from "./sample-slos.ts";

export type { JobDefinition, JobOutcome } from "./definition.ts";

export const JOBS: JobDefinition[] = [
  { name: "sample_slos", cron: null, everySeconds: (ctx) => ctx.config.tickSeconds, run: sampleSlos },
  { name: "expire_leases", cron: "* * * * *", everySeconds: () => 60, run: expireLeases },
  { name: "prune", cron: "17 * * * *", everySeconds: () => 3600, run: prune },
  { name: "deliver_notifications", cron: null, everySeconds: () => 1, run: deliverNotifications },
  { name: "watch_windows", cron: "* * * * *", everySeconds: () => 60, run: watchWindows },
  { name: "github_poll", cron: null, everySeconds: (ctx) => ctx.config.githubPollSeconds, run: githubPoll },
];
