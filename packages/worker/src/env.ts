import { z } from "zod";
import { DEFAULT_WORKER_CONFIG, type WorkerConfig } from "./context.ts";

// The worker's settings, read on first use.
const schema = z.object({
  /** `0` keeps the web server from running jobs (run `rollgate worker` instead). */
  ROLLGATE_WORKER: z.enum(["0", "1"]).default("1"),
  ROLLGATE_WORKER_TICK_SECONDS: z.coerce.number().int().min(1).max(60).default(DEFAULT_WORKER_CONFIG.tickSeconds),
  ROLLGATE_SNAPSHOT_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(DEFAULT_WORKER_CONFIG.snapshotRetentionDays),
  /** Notifications link to pages under the dashboard's public URL. */
  NEXTAUTH_URL: z.url().default(DEFAULT_WORKER_CONFIG.publicUrl),
  ROLLGATE_NOTIFICATION_BACKOFF_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(600_000)
    .default(DEFAULT_WORKER_CONFIG.notificationBackoffMs),
  /** 1: Prometheus, webhooks and Slack may be internal addresses (loopback, link-local, private). */
  ROLLGATE_ALLOW_PRIVATE_DESTINATIONS: z.enum(["0", "1"]).default("0"),
  /** How often pending GitHub deployment protection rules are checked again. */
  ROLLGATE_GITHUB_POLL_SECONDS: z.coerce.number().positive().default(DEFAULT_WORKER_CONFIG.githubPollSeconds),
});

export function readWorkerEnv(source: Record<string, string | undefined> = process.env): {
  enabled: boolean;
  config: Partial<WorkerConfig>;
} {
  const parsed = schema.safeParse({
    ROLLGATE_WORKER: source.ROLLGATE_WORKER || undefined,
    ROLLGATE_WORKER_TICK_SECONDS: source.ROLLGATE_WORKER_TICK_SECONDS || undefined,
    ROLLGATE_SNAPSHOT_RETENTION_DAYS: source.ROLLGATE_SNAPSHOT_RETENTION_DAYS || undefined,
    NEXTAUTH_URL: source.NEXTAUTH_URL || undefined,
    ROLLGATE_NOTIFICATION_BACKOFF_MS: source.ROLLGATE_NOTIFICATION_BACKOFF_MS || undefined,
    ROLLGATE_ALLOW_PRIVATE_DESTINATIONS: source.ROLLGATE_ALLOW_PRIVATE_DESTINATIONS || undefined,
    ROLLGATE_GITHUB_POLL_SECONDS: source.ROLLGATE_GITHUB_POLL_SECONDS || undefined,
  });
  if (!parsed.success)
    throw new Error(
      `Invalid worker configuration (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}). See .env.example.`,
    );
  const e = parsed.data;
  return {
    enabled: e.ROLLGATE_WORKER === "1",
    config: {
      tickSeconds: e.ROLLGATE_WORKER_TICK_SECONDS,
      snapshotRetentionDays: e.ROLLGATE_SNAPSHOT_RETENTION_DAYS,
      publicUrl: e.NEXTAUTH_URL,
      notificationBackoffMs: e.ROLLGATE_NOTIFICATION_BACKOFF_MS,
      allowPrivateDestinations: e.ROLLGATE_ALLOW_PRIVATE_DESTINATIONS === "1",
      githubPollSeconds: e.ROLLGATE_GITHUB_POLL_SECONDS,
    },
  };
}
