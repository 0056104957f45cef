import type { Db } from "@rollgate/db/client";

/** What every job gets: the database, the clock (injectable), the key that opens stored secrets. */
export interface JobContext {
  db: Db;
  now: () => Date;
  secretKey: string;
  config: WorkerConfig;
  fetch?: typeof fetch;
}

export interface WorkerConfig {
  /** How often the sampling round runs; each rollout is sampled at its policy's interval. */
  tickSeconds: number;
  /** Raw SLO snapshots and pull records older than this are deleted (the rollups keep the history). */
  snapshotRetentionDays: number;
  /** Rate-limit windows older than this are deleted. */
  rateLimitRetentionSeconds: number;
  /** How many Prometheus queries a round runs at once. */
  queryConcurrency: number;
  /** The dashboard's public URL (`NEXTAUTH_URL`): notifications link to pages under it. */
  publicUrl: string;
  /** First retry delay of a notification; it doubles each attempt. */
  notificationBackoffMs: number;
  /** Attempts before a notification is marked failed. */
  notificationMaxAttempts: number;
  /** Prometheus, webhooks and Slack may be on loopback, link-local or private addresses (tests, labs). */
  allowPrivateDestinations: boolean;
  /** How often pending GitHub deployment protection rules are checked again (`github_poll`). */
  githubPollSeconds: number;
}

export const DEFAULT_WORKER_CONFIG: WorkerConfig = {
  tickSeconds: 5,
  snapshotRetentionDays: 90,
  rateLimitRetentionSeconds: 3600,
  queryConcurrency: 16,
  publicUrl: "http://localhost:3000",
  notificationBackoffMs: 1000,
  notificationMaxAttempts: 10,
  allowPrivateDestinations: false,
  githubPollSeconds: 15,
};
