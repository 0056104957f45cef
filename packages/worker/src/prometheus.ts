import { redactSecrets } from "@rollgate/core/integrations/destination";
import type { SloSource } from "@rollgate/core/policy";

// A minimal Prometheus HTTP API client: one instant query (`GET /api/v1/query`) at a given
// time, answered as exactly one number or a sentence saying why not.

export type QueryResult = { ok: true; value: number } | { ok: false; error: string };

export interface PrometheusTarget {
  url: string;
  auth: SloSource["auth"];
  username?: string;
  /** The bearer token or basic-auth password, decrypted. */
  secret?: string | null;
  timeoutSeconds: number;
}

/** One instant query; an error never carries the credential, whatever the server echoed. */
export async function instantQuery(
  target: PrometheusTarget,
  query: string,
  at: Date,
  fetchImpl: typeof fetch = fetch,
): Promise<QueryResult> {
  const result = await sendQuery(target, query, at, fetchImpl);
  return result.ok ? result : { ok: false, error: redactSecrets(result.error, [target.secret]) };
}

async function sendQuery(
  target: PrometheusTarget,
  query: string,
  at: Date,
  fetchImpl: typeof fetch,
): Promise<QueryResult> {
  const url = new URL("api/v1/query", target.url.endsWith("/") ? target.url : `${target.url}/`);
  url.searchParams.set("query", query);
  url.searchParams.set("time", (at.getTime() / 1000).toFixed(3));
  url.searchParams.set("timeout", `${target.timeoutSeconds}s`);
  const headers: Record<string, string> = { accept: "application/json" };
  if (target.auth === "bearer" && target.secret) headers.authorization = `Bearer ${target.secret}`;
  if (target.auth === "basic")
    headers.authorization = `Basic ${Buffer.from(`${target.username ?? ""}:${target.secret ?? ""}`).toString("base64")}`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers,
      signal: AbortSignal.timeout(target.timeoutSeconds * 1000),
      redirect: "error",
    });
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError")
      return { ok: false, error: `query timed out after ${target.timeoutSeconds} s` };
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, error: `Prometheus did not answer (${cause ?? (error as Error).message})` };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, error: `Prometheus answered HTTP ${response.status} without JSON` };
  }
  const answer = body as {
    status?: string;
    error?: string;
    errorType?: string;
    data?: { resultType?: string; result?: unknown };
  };
  if (response.status === 401 || response.status === 403)
    return { ok: false, error: `Prometheus refused the credentials (HTTP ${response.status})` };
  if (answer.status !== "success")
    return {
      ok: false,
      error:
        `query failed: ${answer.errorType ? `${answer.errorType}: ` : ""}${answer.error ?? `HTTP ${response.status}`}`.slice(
          0,
          500,
        ),
    };
  return valueOf(answer.data?.resultType, answer.data?.result);
}

function valueOf(type: string | undefined, result: unknown): QueryResult {
  let sample: unknown;
  if (type === "scalar") sample = result;
  else if (type === "vector" && Array.isArray(result)) {
    if (result.length === 0) return { ok: false, error: "query returned no series" };
    if (result.length > 1)
      return { ok: false, error: `query returned ${result.length} series; it must return exactly one` };
    sample = (result[0] as { value?: unknown }).value;
  } else return { ok: false, error: `query returned a ${type ?? "unknown"} result; it must return one series` };
  const raw = Array.isArray(sample) ? sample[1] : undefined;
  const value = typeof raw === "string" ? Number(raw) : NaN;
  if (!Number.isFinite(value)) return { ok: false, error: `query returned ${String(raw)}, not a number` };
  return { ok: true, value };
}
