import { randomUUID } from "node:crypto";
import {
  API,
  pathOf,
  type Answers,
  type Endpoint,
  type PathParams,
  type RequestBody,
} from "@rollgate/core/contract/endpoints";
import { errorResponseSchema, type ErrorResponse } from "@rollgate/core/contract/responses";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import { Webhook } from "standardwebhooks";
import type { CliEnv } from "./env.ts";

/**
 * Rollgate's answer to one request: one the endpoint declares, its body parsed by the declared
 * schema and typed by its status, or an answer it does not declare (a proxy's 502, a body that
 * does not fit), kept for `explain`. Tell them apart with `is`.
 */
export type Answer<E extends Endpoint> = (Answers<E> | Undeclared) & { etag: string | null };

interface Undeclared {
  status: number;
  /** The body, if it was JSON. */
  json: unknown;
  /** Why the answer is not one the endpoint declares. */
  undeclared: string;
}

/** Whether the answer is the declared one with this status (its body typed and checked). */
export function is<E extends Endpoint, S extends keyof E["responses"] & number>(
  answer: Answer<E>,
  status: S,
): answer is Extract<Answers<E>, { status: S }> & { etag: string | null } {
  return answer.status === status && !("undeclared" in answer);
}

const RETRIES = 5;

type Options<E extends Endpoint> = {
  headers?: Record<string, string>;
  query?: Record<string, string | number>;
  sleep?: (ms: number) => Promise<void>;
  /** A new webhook-id each attempt: for requests that are no idempotent event (a lease request's id is used once). */
  newIdEachAttempt?: boolean;
} & (E["params"] extends object ? { params: PathParams<E> } : { params?: undefined }) &
  ([RequestBody<E>] extends [never] ? { body?: undefined } : { body: RequestBody<E> });

/**
 * Calls one endpoint of the Rollgate API as its description says (`@rollgate/core/contract/endpoints`),
 * retrying network errors and 5xx with exponential backoff. A signed endpoint's body is signed
 * (Standard Webhooks) anew each attempt with the same webhook-id, so a retry after a lost answer
 * is recorded as a duplicate, never as a second event.
 */
export async function request<E extends Endpoint>(env: CliEnv, endpoint: E, options: Options<E>): Promise<Answer<E>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const method = typeof endpoint.method === "string" ? endpoint.method : endpoint.method[0]!;
  const signed = endpoint.headers?.some((h) => h.name === "webhook-signature") ?? false;
  const url = new URL(pathOf(endpoint, options.params as Record<string, string> | undefined), env.ROLLGATE_URL);
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, String(value));
  let webhookId = `msg_${randomUUID()}`;
  let lastError: unknown;
  for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
    if (attempt > 0) await sleep(Math.min(8000, 250 * 2 ** (attempt - 1)) * (0.5 + Math.random()));
    if (attempt > 0 && options.newIdEachAttempt) webhookId = `msg_${randomUUID()}`;
    const headers: Record<string, string> = { authorization: `Bearer ${env.ROLLGATE_TOKEN}`, ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
      if (signed) {
        // Signed anew each attempt (fresh timestamp), with the same id.
        const at = new Date();
        Object.assign(headers, {
          "webhook-id": webhookId,
          "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
          "webhook-signature": new Webhook(env.ROLLGATE_SECRET).sign(webhookId, at, body),
        });
      }
    }
    try {
      const response = await fetch(url, { method, headers, body });
      const json: unknown = await response.json().catch(() => null);
      if (response.status >= 500 && attempt < RETRIES) {
        lastError = new Error(`HTTP ${response.status}`);
        continue;
      }
      return read(endpoint, response.status, json, response.headers.get("etag"));
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(
    `Rollgate at ${env.ROLLGATE_URL} did not answer after ${RETRIES + 1} attempts: ${(lastError as Error)?.message ?? lastError}`,
  );
}

function read<E extends Endpoint>(endpoint: E, status: number, json: unknown, etag: string | null): Answer<E> {
  const declared = endpoint.responses[status];
  if (!declared) return { status, json, etag, undeclared: `${endpoint.name} does not answer ${status}` };
  if (!declared.schema) return { status, json: null, etag } as Answer<E>;
  const parsed = declared.schema.safeParse(json);
  if (!parsed.success)
    return {
      status,
      json,
      etag,
      undeclared: `the answer does not fit the API's schema (${parsed.error.issues[0]?.message})`,
    };
  return { status, json: parsed.data, etag } as Answer<E>;
}

/**
 * `POST …/gate/lease`, signed like an event. The signed body names the rollout, so the server
 * refuses the request on another rollout's path; the server uses a webhook-id once, so a retry
 * is a new request (after a lost answer it finds the lease held, by this job).
 */
export function requestLease(env: CliEnv, key: RolloutKey, holder: string): Promise<Answer<typeof API.lease>> {
  const { service, environment, release } = key;
  return request(env, API.lease, {
    params: key,
    body: { service, environment, release },
    headers: { "x-rollgate-holder": holder },
    newIdEachAttempt: true,
  });
}

/** A one-line explanation of an answer that is not the one hoped for. */
export function explain(answer: { status: number; json: unknown; undeclared?: string }): string {
  const error = errorResponseSchema.safeParse(answer.json);
  if (error.success) return `${answer.status} ${describe(error.data)}`;
  return answer.undeclared ? `HTTP ${answer.status}: ${answer.undeclared}` : `HTTP ${answer.status}`;
}

const describe = (body: ErrorResponse) => `${body.error.code}: ${body.error.message}`;
