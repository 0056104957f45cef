import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { CliEnv } from "./env.ts";

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers are read field by field
  json: any;
  /** The entity tag of the answer (`GET …/gate/wait`), if any. */
  etag?: string | null;
}

const RETRIES = 5;

/**
 * Calls the Rollgate API, retrying network errors and 5xx with exponential backoff. A
 * webhook keeps its webhook-id across retries, so a retry after a lost answer is recorded
 * as a duplicate, never as a second event.
 */
export async function call(
  env: CliEnv,
  method: "GET" | "POST",
  path: string,
  options: {
    event?: unknown;
    headers?: Record<string, string>;
    sleep?: (ms: number) => Promise<void>;
    /** A new webhook-id each attempt: for requests that are no idempotent event (a lease request's id is used once). */
    newIdEachAttempt?: boolean;
  } = {},
): Promise<Answer> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let webhookId = `msg_${randomUUID()}`;
  let lastError: unknown;
  for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
    if (attempt > 0) await sleep(Math.min(8000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random()));
    if (attempt > 0 && options.newIdEachAttempt) webhookId = `msg_${randomUUID()}`;
    const headers: Record<string, string> = { authorization: `Bearer ${env.ROLLGATE_TOKEN}`, ...options.headers };
    let body: string | undefined;
    if (options.event !== undefined) {
      body = JSON.stringify(options.event);
      // Signed anew each attempt (fresh timestamp), with the same id.
      const at = new Date();
      Object.assign(headers, {
        "content-type": "application/json",
        "webhook-id": webhookId,
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": new Webhook(env.ROLLGATE_SECRET).sign(webhookId, at, body),
      });
    }
    try {
      const response = await fetch(new URL(path, env.ROLLGATE_URL), { method, headers, body });
      const json = await response.json().catch(() => null);
      if (response.status >= 500 && attempt < RETRIES) {
        lastError = new Error(`HTTP ${response.status}`);
        continue;
      }
      return { status: response.status, json, etag: response.headers.get("etag") };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(
    `Rollgate at ${env.ROLLGATE_URL} did not answer after ${RETRIES + 1} attempts: ${(lastError as Error)?.message ?? lastError}`,
  );
}

/**
 * `POST …/gate/lease`, signed like an event. The signed body names the rollout, so the server
 * refuses the request on another rollout's path; the server uses a webhook-id once, so a retry
 * is a new request (after a lost answer it finds the lease held, by this job).
 */
export function requestLease(
  env: CliEnv,
  keys: { service: string; environment: string; release: string },
  holder: string,
): Promise<Answer> {
  const { service, environment, release } = keys;
  return call(env, "POST", `${rolloutPath(keys)}/gate/lease`, {
    event: { service, environment, release },
    headers: { "x-rollgate-holder": holder },
    newIdEachAttempt: true,
  });
}

export function rolloutPath(keys: { service: string; environment: string; release: string }): string {
  return `/api/v1/rollouts/${encodeURIComponent(keys.service)}/${encodeURIComponent(keys.environment)}/${encodeURIComponent(keys.release)}`;
}

/** A one-line explanation of an error answer. */
export function explain(answer: Answer): string {
  return answer.json?.error
    ? `${answer.status} ${answer.json.error.code}: ${answer.json.error.message}`
    : `HTTP ${answer.status}`;
}
